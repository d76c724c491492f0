# The oracle of test/search/cql.test.ts: Debian's CQL::Parser (libcql-parser-perl). One CQL
# query per input line; one line out per query: the tree in cqlToString's form, or ERR.
use strict;
use warnings;
use CQL::Parser;
use JSON::PP;

my $json = JSON::PP->new->allow_nonref->canonical;
binmode STDIN, ':encoding(UTF-8)';
binmode STDOUT, ':encoding(UTF-8)';

sub canon {
    my ($node) = @_;
    if ($node->isa('CQL::PrefixNode')) { return canon($node->getSubtree()); }
    if ($node->isa('CQL::TermNode')) {
        my $index = $node->getQualifier();
        $index = 'cql.serverChoice' if !defined $index || $index eq '' || lc $index eq 'srw.serverchoice';
        my $relation = $node->getRelation();
        my $base = lc $relation->getBase();
        $base = '=' if $base eq 'scr';
        my $mods = join '', map { '/' . $_->[1] } $relation->getModifiers();
        return "($index $base$mods " . $json->encode($node->getTerm()) . ")";
    }
    return '(' . $node->op() . ' ' . canon($node->left()) . ' ' . canon($node->right()) . ')';
}

my $parser = CQL::Parser->new();
while (my $line = <STDIN>) {
    chomp $line;
    my $tree = eval { $parser->parse($line) };
    print defined $tree ? canon($tree) : 'ERR', "\n";
}
