/** The one style sheet (served at /static/style.css): system fonts, readable on a laptop, visible focus. */
export const STYLE_CSS = `
:root { --ink: #1d2430; --muted: #5b6575; --line: #d5dae1; --accent: #0b5cad; --bad: #a31515;
  --good: #1d6b2f; --warn: #8a5a00; --bg: #f6f7f9; font-family: system-ui, sans-serif; color: var(--ink); }
body { margin: 0; background: var(--bg); line-height: 1.45; }
header.top { background: #16324f; color: #fff; display: flex; flex-wrap: wrap; align-items: center;
  gap: .25rem 1.25rem; padding: .5rem 1.25rem; }
header.top a { color: #fff; text-decoration: none; }
header.top a:hover, header.top a:focus, header.top a[aria-current] { text-decoration: underline; }
header.top .brand { font-weight: 700; font-size: 1.1rem; }
header.top nav { display: flex; flex-wrap: wrap; gap: .25rem 1.25rem; order: 2; flex-basis: 100%; }
header.top .spacer { flex: 1; }
header.top form { display: inline; margin: 0; }
header.top select, header.top button { font: inherit; font-size: .9rem; }
main { max-width: 76rem; margin: 1rem auto; padding: 0 1.25rem 2rem; }
h1 { font-size: 1.4rem; margin: .5rem 0 1rem; }
h2 { font-size: 1.15rem; margin: 1.5rem 0 .5rem; }
a { color: var(--accent); }
:focus-visible { outline: 3px solid #f0a500; outline-offset: 2px; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { border-bottom: 1px solid var(--line); padding: .35rem .5rem; text-align: left; vertical-align: top; }
th { background: #eef1f5; font-weight: 600; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 1rem 1.25rem; margin-bottom: 1rem; }
.muted { color: var(--muted); }
.flash { padding: .6rem 1rem; border-radius: 6px; margin-bottom: 1rem; border: 1px solid; }
.flash.error { background: #fdecec; border-color: #e6a4a4; color: var(--bad); }
.flash.ok { background: #eaf6ec; border-color: #9fd0a9; color: var(--good); }
.flash.warn { background: #fff6e0; border-color: #e5c77a; color: var(--warn); }
form.stack label { display: block; margin: .75rem 0 .25rem; font-weight: 600; }
form.stack .hint { font-weight: 400; color: var(--muted); font-size: .9rem; }
input[type=text], input[type=password], input[type=search], select, textarea { font: inherit;
  padding: .35rem .5rem; border: 1px solid #9aa4b2; border-radius: 4px; max-width: 100%; box-sizing: border-box; }
form.stack input[type=text], form.stack input[type=password], form.stack select { width: 28rem; }
textarea { width: 100%; font-family: ui-monospace, monospace; font-size: .9rem; }
button, .button { font: inherit; padding: .4rem .9rem; border-radius: 4px; border: 1px solid var(--accent);
  background: var(--accent); color: #fff; cursor: pointer; text-decoration: none; display: inline-block; }
button.secondary, .button.secondary { background: #fff; color: var(--accent); }
button.danger { background: var(--bad); border-color: var(--bad); }
.row { display: flex; gap: .5rem; align-items: center; flex-wrap: wrap; }
.layout { display: grid; grid-template-columns: 15rem 1fr; gap: 1.25rem; }
.layout.halves { grid-template-columns: 1fr 1fr; }
@media (max-width: 50rem) { .layout, .layout.halves { grid-template-columns: 1fr; } }
header.top .on-dark { color: #cfe0f2; }
.align-left { text-align: left; }
.spaced { margin-top: .5rem; }
label.inline { display: inline; }
.facets h2 { font-size: 1rem; margin: .75rem 0 .25rem; }
.facets ul { list-style: none; padding: 0; margin: 0; }
.facets li { padding: .1rem 0; }
pre, .marc { font-family: ui-monospace, monospace; font-size: .88rem; white-space: pre-wrap; word-break: break-word; margin: 0; }
table.marc { background: transparent; } table.marc td { padding: .1rem .5rem; border: 0; white-space: normal; font-family: ui-monospace, monospace; font-size: .88rem; }
table.marc td.tag { font-weight: 700; width: 3rem; }
table.marc td.ind { width: 2.5rem; color: var(--muted); white-space: pre; }
.sf { color: var(--accent); font-weight: 700; }
.fixed .ruler { color: var(--muted); font-size: .75rem; white-space: pre; line-height: 1.1; }
.fixed .value { white-space: pre; }
.fixed .blank { color: var(--muted); }
table.diff td { width: 50%; font-family: ui-monospace, monospace; font-size: .85rem; white-space: pre-wrap; }
table.diff td.del { background: #fdecec; } table.diff td.add { background: #eaf6ec; }
.badge { display: inline-block; padding: 0 .4rem; border-radius: 3px; font-size: .85rem; background: #e7ecf3; }
.badge.created, .badge.merged, .badge.overlaid, .badge.loaded { background: #dcf1e0; }
.badge.review { background: #fff0c8; } .badge.rejected, .badge.skipped, .badge.failed { background: #fbe1e1; }
.counters { display: flex; flex-wrap: wrap; gap: .5rem 1.25rem; }
.counters div { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .4rem .8rem; }
.counters b { display: block; font-size: 1.3rem; }
.steps { display: flex; gap: 1rem; margin-bottom: 1rem; } .steps span[aria-current] { font-weight: 700; text-decoration: underline; }
.err-line { background: #fdecec; }
`;
