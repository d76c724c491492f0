/**
 * CQL, the Contextual Query Language of SRU (LoC/OASIS searchRetrieve, CQL 1.2 and 2.0): a
 * tokenizer and a recursive-descent parser of the whole grammar, written from the
 * specification —
 *
 *     cqlQuery     ::= prefixAssignment cqlQuery | scopedClause [ 'sortBy' sortSpec+ ]
 *     prefixAssignment ::= '>' prefix '=' uri | '>' uri
 *     scopedClause ::= scopedClause booleanGroup searchClause | searchClause
 *     booleanGroup ::= ('and' | 'or' | 'not' | 'prox') modifierList?
 *     searchClause ::= '(' cqlQuery ')' | index relation searchTerm | searchTerm
 *     relation     ::= (symbol | name) modifierList?   symbols: = == <> < > <= >=
 *     modifierList ::= ('/' name [symbol value])+
 *     sortSpec     ::= index modifierList?
 *
 * Booleans have one precedence and bind left to right; keywords are case-insensitive; a quoted
 * term keeps its backslash escapes (`\"`, `\*`) for the term's reader to interpret. Errors are
 * values with the 1-based character position of the offending token.
 */

/** `name` or `name op value` after a `/`. */
export interface CqlModifier {
  readonly name: string;
  readonly comparison?: string;
  readonly value?: string;
}

export interface CqlRelation {
  /** `=`, `==`, `<>`, `<`, `>`, `<=`, `>=` or a name (`adj`, `all`, `any`, `within`, …), lower case. */
  readonly base: string;
  readonly modifiers: readonly CqlModifier[];
}

export interface CqlSearchClause {
  readonly type: "searchClause";
  /** As written; `cql.serverChoice` when the clause is a bare term. */
  readonly index: string;
  readonly relation: CqlRelation;
  /** The term with its quotes taken off and its escapes kept. */
  readonly term: string;
  /** Whether the term was quoted. */
  readonly quoted: boolean;
  /** Prefix assignments in scope (`> dc = "http://…"`), innermost last. */
  readonly prefixes: readonly CqlPrefix[];
  readonly position: number;
}

export interface CqlBoolean {
  readonly type: "boolean";
  readonly operator: "and" | "or" | "not" | "prox";
  readonly modifiers: readonly CqlModifier[];
  readonly left: CqlNode;
  readonly right: CqlNode;
  readonly position: number;
}

export type CqlNode = CqlSearchClause | CqlBoolean;

export interface CqlPrefix {
  readonly prefix?: string;
  readonly uri: string;
}

export interface CqlSortKey {
  readonly index: string;
  readonly modifiers: readonly CqlModifier[];
  readonly position: number;
}

export interface CqlQuery {
  readonly root: CqlNode;
  readonly sortKeys: readonly CqlSortKey[];
}

export interface CqlError {
  readonly message: string;
  /** 1-based character position in the query. */
  readonly position: number;
}

export type CqlResult = { readonly query: CqlQuery } | { readonly error: CqlError };

type TokenKind = "word" | "quoted" | "symbol" | "(" | ")" | "/" | "end";

interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  /** 0-based offset. */
  readonly at: number;
}

const SYMBOLS = ["==", "<>", "<=", ">=", "=", "<", ">"] as const;
const BOOLEANS = new Set(["and", "or", "not", "prox"]);

class CqlSyntaxError extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
  }
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/u.test(c)) {
      i++;
      continue;
    }
    if (c === "(" || c === ")" || c === "/") {
      tokens.push({ kind: c, text: c, at: i });
      i++;
      continue;
    }
    const symbol = SYMBOLS.find((s) => text.startsWith(s, i));
    if (symbol) {
      tokens.push({ kind: "symbol", text: symbol, at: i });
      i += symbol.length;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      let value = "";
      for (;;) {
        if (j >= text.length) throw new CqlSyntaxError("a quoted term is not closed", i);
        const d = text[j]!;
        if (d === "\\" && j + 1 < text.length) {
          // `\"` is a quote in the term; other escapes (`\*`, `\\`) stay for the term's reader.
          value += text[j + 1] === '"' ? '"' : d + text[j + 1]!;
          j += 2;
          continue;
        }
        if (d === '"') break;
        value += d;
        j++;
      }
      tokens.push({ kind: "quoted", text: value, at: i });
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < text.length && !/[\s()/"=<>]/u.test(text[j]!)) j++;
    tokens.push({ kind: "word", text: text.slice(i, j), at: i });
    i = j;
  }
  tokens.push({ kind: "end", text: "", at: text.length });
  return tokens;
}

/** Parentheses and prefix assignments nest at most this deep (the parser recurses). */
export const CQL_MAX_DEPTH = 64;
/** At most this many boolean operators (each engine nests its expression once per operator). */
export const CQL_MAX_BOOLEANS = 100;
/** Queries longer than this are refused before they are read. */
export const CQL_MAX_LENGTH = 10_000;

class Parser {
  private i = 0;
  private depth = 0;
  private booleans = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  private get peek(): Token {
    return this.tokens[this.i]!;
  }
  private next(): Token {
    return this.tokens[this.i++]!;
  }
  private isKeyword(token: Token, word: string): boolean {
    return token.kind === "word" && token.text.toLowerCase() === word;
  }

  query(prefixes: readonly CqlPrefix[], nested: boolean): CqlQuery {
    const root = this.scopedClause(prefixes);
    const sortKeys: CqlSortKey[] = [];
    if (this.isKeyword(this.peek, "sortby")) {
      if (nested)
        throw new CqlSyntaxError("sortBy belongs at the end of the whole query", this.peek.at);
      this.next();
      while (this.peek.kind === "word" || this.peek.kind === "quoted") {
        const token = this.next();
        sortKeys.push({ index: token.text, modifiers: this.modifiers(), position: token.at + 1 });
      }
      if (sortKeys.length === 0) throw new CqlSyntaxError("sortBy needs an index", this.peek.at);
    }
    return { root, sortKeys };
  }

  private scopedClause(prefixes: readonly CqlPrefix[]): CqlNode {
    let left = this.searchClause(prefixes);
    for (;;) {
      const token = this.peek;
      const op = token.kind === "word" ? token.text.toLowerCase() : "";
      if (!BOOLEANS.has(op)) break;
      if (++this.booleans > CQL_MAX_BOOLEANS)
        throw new CqlSyntaxError(`more than ${CQL_MAX_BOOLEANS} boolean operators`, token.at);
      this.next();
      const modifiers = this.modifiers();
      const right = this.searchClause(prefixes);
      left = {
        type: "boolean",
        operator: op as CqlBoolean["operator"],
        modifiers,
        left,
        right,
        position: token.at + 1,
      };
    }
    return left;
  }

  private searchClause(prefixes: readonly CqlPrefix[]): CqlNode {
    const token = this.peek;
    if (token.kind === "(") {
      this.next();
      if (++this.depth > CQL_MAX_DEPTH)
        throw new CqlSyntaxError(`parentheses nest deeper than ${CQL_MAX_DEPTH}`, token.at);
      const inner = this.query(prefixes, true);
      this.depth--;
      if (this.peek.kind !== ")")
        throw new CqlSyntaxError(`")" expected, not ${describe(this.peek)}`, this.peek.at);
      this.next();
      return inner.root;
    }
    if (token.kind === "symbol" && token.text === ">") {
      this.next();
      if (prefixes.length >= CQL_MAX_DEPTH)
        throw new CqlSyntaxError(`more than ${CQL_MAX_DEPTH} prefix assignments`, token.at);
      return this.searchClause([...prefixes, this.prefixAssignment()]);
    }
    if (token.kind !== "word" && token.kind !== "quoted")
      throw new CqlSyntaxError(`a search term expected, not ${describe(token)}`, token.at);
    this.next();
    const after = this.peek;
    const relationFollows =
      after.kind === "symbol" ||
      (after.kind === "word" &&
        !BOOLEANS.has(after.text.toLowerCase()) &&
        after.text.toLowerCase() !== "sortby");
    if (!relationFollows) {
      return {
        type: "searchClause",
        index: "cql.serverChoice",
        relation: { base: "=", modifiers: [] },
        term: token.text,
        quoted: token.kind === "quoted",
        prefixes,
        position: token.at + 1,
      };
    }
    if (token.kind === "quoted")
      throw new CqlSyntaxError("an index name cannot be quoted", token.at);
    const relationToken = this.next();
    const base = relationToken.text.toLowerCase();
    const modifiers = this.modifiers();
    const term = this.peek;
    if (term.kind !== "word" && term.kind !== "quoted")
      throw new CqlSyntaxError(
        `a search term expected after "${token.text} ${relationToken.text}", not ${describe(term)}`,
        term.at,
      );
    this.next();
    return {
      type: "searchClause",
      index: token.text,
      relation: { base, modifiers },
      term: term.text,
      quoted: term.kind === "quoted",
      prefixes,
      position: token.at + 1,
    };
  }

  private prefixAssignment(): CqlPrefix {
    const first = this.next();
    if (first.kind !== "word" && first.kind !== "quoted")
      throw new CqlSyntaxError(
        `a prefix or URI expected after ">", not ${describe(first)}`,
        first.at,
      );
    if (this.peek.kind === "symbol" && this.peek.text === "=") {
      this.next();
      const uri = this.next();
      if (uri.kind !== "word" && uri.kind !== "quoted")
        throw new CqlSyntaxError(`a URI expected, not ${describe(uri)}`, uri.at);
      return { prefix: first.text, uri: uri.text };
    }
    return { uri: first.text };
  }

  private modifiers(): CqlModifier[] {
    const list: CqlModifier[] = [];
    while (this.peek.kind === "/") {
      this.next();
      const name = this.next();
      if (name.kind !== "word")
        throw new CqlSyntaxError(
          `a modifier name expected after "/", not ${describe(name)}`,
          name.at,
        );
      const after: Token = this.tokens[this.i]!;
      if (after.kind === "symbol") {
        const comparison = this.next().text;
        const value = this.next();
        if (value.kind !== "word" && value.kind !== "quoted")
          throw new CqlSyntaxError(`a modifier value expected, not ${describe(value)}`, value.at);
        list.push({ name: name.text, comparison, value: value.text });
      } else list.push({ name: name.text });
    }
    return list;
  }

  end(): void {
    if (this.peek.kind !== "end")
      throw new CqlSyntaxError(`unexpected ${describe(this.peek)}`, this.peek.at);
  }
}

function describe(token: Token): string {
  if (token.kind === "end") return "the end of the query";
  if (token.kind === "quoted") return `"${token.text}"`;
  return `"${token.text}"`;
}

/** Parses a CQL query. */
export function parseCql(text: string): CqlResult {
  if (text.length > CQL_MAX_LENGTH)
    return {
      error: {
        message: `the query is longer than ${CQL_MAX_LENGTH} characters`,
        position: CQL_MAX_LENGTH + 1,
      },
    };
  try {
    const tokens = tokenize(text);
    if (tokens.length === 1) return { error: { message: "the query is empty", position: 1 } };
    const parser = new Parser(tokens);
    const query = parser.query([], false);
    parser.end();
    return { query };
  } catch (error) {
    if (error instanceof CqlSyntaxError)
      return { error: { message: error.message, position: error.at + 1 } };
    throw error;
  }
}

/** A canonical text of a tree (tests and logs): `(and (title = "x") (cql.serverChoice = "y"))`. */
export function cqlToString(node: CqlNode): string {
  const mods = (list: readonly CqlModifier[]): string =>
    list
      .map((m) => `/${m.name}${m.comparison !== undefined ? `${m.comparison}${m.value}` : ""}`)
      .join("");
  if (node.type === "searchClause")
    return `(${node.index} ${node.relation.base}${mods(node.relation.modifiers)} ${JSON.stringify(node.term)})`;
  return `(${node.operator}${mods(node.modifiers)} ${cqlToString(node.left)} ${cqlToString(node.right)})`;
}
