// The site read by people, checked in a real browser (headless Chromium,
// driven by playwright-core over the DevTools protocol), from file:// as an
// auditor opens it:
//
//   requests  every page loads nothing but its own files (and data: URLs):
//             no request leaves the folder, none fails, nothing is logged
//             to the console;
//   axe       axe-core finds no violation on a sample of every page type,
//             at 1280 and at 375 px;
//   phones    at 320, 375 and 390 px (emulated: Chromium will not lay out
//             a window narrower than 500 px) no page scrolls sideways;
//             only table boxes may;
//   keyboard  tabbing through a page reaches every focusable element and
//             each shows a focus indicator it does not show unfocused;
//             every <section> has a heading;
//   no js     with JavaScript off the pages are complete: every table row
//             shows and no control that needs the script is visible;
//   paper     printed to PDF, the widest order, the richest CAPA and the
//             audit page (the findings page until there is one) carry
//             every column header and every cell of every table, as
//             pdftotext reads the PDF;
//   shots     screenshots at 1280 and 375 px, in both languages, for a
//             person to look at.
//
//   node check.mjs --site DIR [--site-zh DIR] [--out DIR] [--shots DIR] [--only PARTS]
//
// The sites are built by `docket demo` (the larger the company, the more
// the sample shows); --out gets the PDFs and their text, --shots the
// screenshots.
//
// Exits 1 listing every failure, 0 when all hold.

import { chromium } from "playwright-core";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith("--") ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const site = path.resolve(args.site);
const siteZh = args["site-zh"] && path.resolve(args["site-zh"]);
const out = path.resolve(args.out || "target/browser");
// --only axe,phones,keyboard,nojs,paper,shots: a part of the check, while
// working on one thing.
const only = args.only ? new Set(args.only.split(",")) : null;
const run = (part) => !only || only.has(part);
const shots = path.resolve(args.shots || path.join(out, "screenshots"));
fs.mkdirSync(shots, { recursive: true });
fs.mkdirSync(path.join(out, "print"), { recursive: true });

const failures = [];
const fail = (what) => {
  failures.push(what);
  console.error(`FAIL: ${what}`);
};
let started = Date.now();
const step = (what) => {
  console.log(`== ${what} (${((Date.now() - started) / 1000).toFixed(1)} s so far)`);
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
const axeSource = fs.readFileSync(path.join(here, "node_modules/axe-core/axe.min.js"), "utf8");

// ---------------------------------------------------------------- pages

const html = (rel, root = site) => fs.readFileSync(path.join(root, rel), "utf8");
const url = (rel, root = site) => pathToFileURL(path.join(root, rel)).href;
const kinds = ["customers", "products", "orders", "flowsheets", "capa", "surveys", "property", "reports"];

/** Record pages of a kind, largest file first: the richest sample. */
function records(kind) {
  const dir = path.join(site, kind);
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".html") && f !== "index.html")
    .map((f) => ({ rel: `${kind}/${f}`, size: fs.statSync(path.join(dir, f)).size }))
    .sort((a, b) => b.size - a.size || a.rel.localeCompare(b.rel))
    .map((r) => r.rel);
}

/** One page of every type: dashboard, each list, each record kind, the rest. */
const sample = [
  "index.html",
  ...kinds.map((k) => `${k}/index.html`),
  ...kinds.map((k) => records(k)[0]).filter(Boolean),
  "people.html",
  "findings.html",
  "rules.html",
  "procedure.html",
  "changes.html",
  ...(fs.existsSync(path.join(site, "audit.html")) ? ["audit.html"] : []),
  // The longest month of the audit's signatures: the widest table of the site.
  ...(fs.existsSync(path.join(site, "audit"))
    ? [
        fs
          .readdirSync(path.join(site, "audit"))
          .map((f) => `audit/${f}`)
          .sort((a, b) => fs.statSync(path.join(site, b)).size - fs.statSync(path.join(site, a)).size || a.localeCompare(b))[0],
      ]
    : []),
];
for (const k of kinds) {
  if (!records(k).length) fail(`the sample site has no ${k} record page: the test needs one of each kind`);
}

/** A page, with every request, failure and console message watched. */
async function open(context, rel, root = site) {
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => problems.push(`console ${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => problems.push(`uncaught: ${e.message}`));
  page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()}`));
  page.on("request", (r) => {
    if (!/^(file|data):/.test(r.url())) problems.push(`request outside the site: ${r.url()}`);
  });
  await page.goto(url(rel, root), { waitUntil: "load" });
  return { page, problems };
}

async function context(width, opts = {}) {
  return browser.newContext({
    viewport: { width, height: width < 500 ? 800 : 900 },
    // Emulation.setDeviceMetricsOverride with mobile: true under the hood:
    // the meta viewport counts, as on a phone.
    isMobile: width < 500,
    hasTouch: width < 500,
    deviceScaleFactor: width < 500 ? 2 : 1,
    ...opts,
  });
}

// ------------------------------------------------------- requests + axe

for (const width of run("axe") ? [1280, 375] : []) {
  step(`axe-core and requests at ${width} px: ${sample.length} pages`);
  const ctx = await context(width);
  for (const rel of sample) {
    const { page, problems } = await open(ctx, rel);
    await page.addScriptTag({ content: axeSource });
    const violations = await page.evaluate(async () => {
      // No preload: axe would fetch the stylesheets with XHR, which file:// forbids.
      const r = await window.axe.run(document, { resultTypes: ["violations"], preload: false });
      return r.violations.map(
        (v) => `${v.id} (${v.impact}): ${v.help}; ${v.nodes.length}x, e.g. ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`,
      );
    });
    for (const v of violations) fail(`${rel} at ${width} px: axe ${v}`);
    for (const p of problems) fail(`${rel}: ${p}`);
    await page.close();
  }
  await ctx.close();
}

// --------------------------------------------------------------- phones

for (const [lang, root] of [["en", site], ["zh-Hant", siteZh]]) {
  if (!root || !run("phones")) continue;
  for (const width of [320, 375, 390]) {
    step(`phones: ${lang} at ${width} px`);
    const ctx = await context(width);
    const page = await ctx.newPage();
    for (const rel of sample) {
      if (!fs.existsSync(path.join(root, rel))) continue;
      await page.goto(url(rel, root));
      const r = await page.evaluate(() => {
        const s = document.scrollingElement;
        // What sticks out, to say why, ignoring what is inside table boxes.
        const wide = [...document.querySelectorAll("body *")]
          .filter((e) => !e.closest(".table-wrap") && e.getBoundingClientRect().right > s.clientWidth + 0.5)
          .slice(0, 3)
          .map((e) => `${e.tagName.toLowerCase()}${e.className ? "." + e.className : ""} (${Math.round(e.getBoundingClientRect().right)} px)`);
        return { scroll: s.scrollWidth, client: s.clientWidth, wide };
      });
      if (r.scroll > r.client) {
        fail(`${lang} ${rel} at ${width} px scrolls sideways: ${r.scroll} > ${r.client} px; ${r.wide.join(", ")}`);
      }
    }
    await ctx.close();
  }
}

// ------------------------------------------------------------- keyboard

if (run("keyboard")) {
  step(`keyboard: tab through ${sample.length} pages`);
  const ctx = await context(1280);
  for (const rel of sample) {
    const { page } = await open(ctx, rel);
    // Every element the keyboard should reach, numbered, with how it looks
    // unfocused.
    const count = await page.evaluate(() => {
      const focusable = [...document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])')].filter(
        (e) => !e.disabled && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== "hidden",
      );
      const looks = (e) => {
        const s = getComputedStyle(e);
        return `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor} | ${s.boxShadow} | ${s.borderColor} | ${s.backgroundColor}`;
      };
      window.__looks = looks;
      focusable.forEach((e, i) => {
        e.dataset.focusIndex = i;
        e.dataset.unfocused = looks(e);
      });
      return focusable.length;
    });
    // The skip link is hidden until focused, so it counts once reached.
    const seen = new Set();
    for (let i = 0; i < count + 5; i++) {
      await page.keyboard.press("Tab");
      const f = await page.evaluate(() => {
        const e = document.activeElement;
        if (!e || e === document.body) return null;
        const s = getComputedStyle(e);
        const r = e.getBoundingClientRect();
        const visible = r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth;
        const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2;
        const shadow = s.boxShadow !== "none";
        return {
          index: e.dataset.focusIndex,
          what: `${e.tagName.toLowerCase()} "${(e.textContent || e.getAttribute("aria-label") || "").trim().slice(0, 40)}"`,
          indicated: (outline || shadow) && window.__looks(e) !== e.dataset.unfocused,
          visible,
        };
      });
      if (!f) break; // past the last element: focus went back to the page
      if (f.index === undefined) {
        fail(`${rel}: tab reached ${f.what}, which the test did not count as focusable`);
        continue;
      }
      if (seen.has(f.index)) break;
      seen.add(f.index);
      if (!f.indicated) fail(`${rel}: ${f.what} shows no focus indicator`);
      if (!f.visible) fail(`${rel}: ${f.what} is focused off screen`);
    }
    if (seen.size !== count) fail(`${rel}: the keyboard reached ${seen.size} of ${count} focusable elements`);
    const untitled = await page.evaluate(
      () => [...document.querySelectorAll("section")].filter((s) => !s.querySelector(":scope > h1, :scope > h2, :scope > h3, :scope > h4, :scope > h5, :scope > h6")).length,
    );
    if (untitled) fail(`${rel}: ${untitled} <section> without a heading`);
    await page.close();
  }
  await ctx.close();
}

// --------------------------------------------------------------- no js

if (run("nojs")) {
  step("without JavaScript");
  const ctx = await context(1280, { javaScriptEnabled: false });
  for (const rel of sample) {
    const { page } = await open(ctx, rel);
    const r = await page.evaluate(() => ({
      rows: document.querySelectorAll("table.data tbody tr").length,
      shown: [...document.querySelectorAll("table.data tbody tr")].filter((tr) => tr.getClientRects().length > 0).length,
      controls: [...document.querySelectorAll("[data-js], p.filter, table.data th button")].filter((e) => e.getClientRects().length > 0).length,
    }));
    if (r.shown !== r.rows) fail(`${rel} without JavaScript: ${r.shown} of ${r.rows} rows show`);
    if (r.controls) fail(`${rel} without JavaScript: ${r.controls} controls that need the script show`);
    await page.close();
  }
  await ctx.close();
}

// ---------------------------------------------------------------- paper

/** The column headers and cells of every table of a page, as its HTML says. */
/**
 * The column headers and cells of every table of a page, as its HTML
 * says (parsed by the browser's HTML parser, no script run), and the texts
 * that are for the screen only.
 */
async function pageTexts(page, source) {
  return page.evaluate((source) => {
    const doc = new DOMParser().parseFromString(source, "text/html");
    const norm = (s) => s.replace(/\s+/g, " ").trim();
    const cells = [...doc.querySelectorAll("table")].flatMap((t, ti) =>
      [...t.querySelectorAll("th, td")]
        .map((c) => ({ table: ti, cell: c.tagName.toLowerCase(), text: norm(c.textContent) }))
        .filter((c) => c.text !== ""),
    );
    const screenOnly = [...doc.querySelectorAll("a.skip, nav, p.hint, p.filter, footer")].map((e) => norm(e.textContent));
    // The title without its badge (a status), as the foot of each sheet says it.
    return { cells, screenOnly, title: norm(doc.querySelector("h1").firstChild.textContent) };
  }, source);
}

/** The order page with the most table columns, then the most table text. */
function widestOrder() {
  let best = null;
  for (const rel of records("orders")) {
    const s = html(rel);
    const columns = (s.match(/<th[ >]/g) || []).length;
    const text = [...s.matchAll(/<td>([\s\S]*?)<\/td>/g)].reduce((n, m) => n + m[1].replace(/<[^>]*>/g, "").length, 0);
    if (!best || columns > best.columns || (columns === best.columns && text > best.text)) best = { rel, columns, text };
  }
  return best.rel;
}

const printed = [
  widestOrder(),
  records("capa")[0],
  fs.existsSync(path.join(site, "audit.html")) ? "audit.html" : "findings.html",
  // The commands of a month's signatures: long lines that must wrap on paper.
  ...sample.filter((p) => p.startsWith("audit/")),
];
for (const [lang, root] of [["en", site], ["zh-Hant", siteZh]]) {
  if (!root || !run("paper")) continue;
  step(`paper, ${lang}: ${printed.join(", ")}`);
  const ctx = await context(1280);
  for (const rel of printed) {
    const { page } = await open(ctx, rel, root);
    const { cells: expected, screenOnly, title } = await pageTexts(page, html(rel, root));
    // Laid out for print on an A4 sheet (186 mm between the margins, 703
    // CSS px), no table may be wider than the sheet.
    await page.setViewportSize({ width: 703, height: 900 });
    await page.emulateMedia({ media: "print" });
    const tooWide = await page.evaluate(() =>
      [...document.querySelectorAll("table")]
        .filter((t) => t.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
        .map((t) => `${t.querySelector("th")?.textContent.trim()} (${Math.round(t.getBoundingClientRect().right)} px)`),
    );
    for (const t of tooWide) fail(`${rel} printed: the table starting with "${t}" is wider than an A4 sheet`);
    const pdfFile = path.join(out, "print", `${rel.replace(/\.html$/, "").replace(/\//g, "-")}-${lang}.pdf`);
    await page.pdf({ path: pdfFile, preferCSSPageSize: true });
    await page.close();
    // -raw keeps each cell's lines together (the order Chromium paints
    // them in), so a wrapped cell still reads as one text.
    const raw = execFileSync("pdftotext", ["-raw", "-enc", "UTF-8", pdfFile, "-"], { encoding: "utf8" });
    const layout = execFileSync("pdftotext", ["-layout", "-enc", "UTF-8", pdfFile, "-"], { encoding: "utf8" });
    fs.writeFileSync(pdfFile.replace(/\.pdf$/, ".txt"), layout);
    // Whitespace is where lines wrapped; compare without it. Cells are
    // looked for in order, each after the one before: a short value
    // ("Delivery", a date) that is also elsewhere on the page cannot
    // stand in for a cell that was cut off.
    const squash = (s) => s.normalize("NFKC").replace(/\s+/g, "");
    const text = squash(raw);
    const missing = [];
    let at = 0;
    for (const c of expected) {
      const i = text.indexOf(squash(c.text), at);
      if (i < 0) missing.push(c);
      else at = i + squash(c.text).length;
    }
    for (const m of missing.slice(0, 10)) fail(`${lang} ${rel} printed: ${m.cell === "th" ? "column" : "cell"} "${m.text}" (table ${m.table + 1}) is not in the PDF where it belongs`);
    if (missing.length > 10) fail(`${lang} ${rel} printed: ${missing.length - 10} more cells missing`);
    if (!expected.length) fail(`${lang} ${rel}: no table to check`);
    // The header: company, record, as-of date; every sheet numbered.
    const pages = Number(execFileSync("pdfinfo", [pdfFile], { encoding: "utf8" }).match(/Pages:\s+(\d+)/)[1]);
    const sheets = layout.split("\f").filter((s) => s.trim() !== "");
    if (sheets.length !== pages) fail(`${lang} ${rel} printed: ${sheets.length} sheets of text for ${pages} pages`);
    const company = html(rel, root).match(/<p class="company"><a [^>]*>([^<]*)</)[1];
    const asOf = html(rel, root).match(/<p class="asof">([^<]*)</)[1];
    for (const must of [company, title, asOf]) {
      if (!squash(sheets[0] || "").includes(squash(must))) fail(`${lang} ${rel} printed: "${must}" is not at the head of the first sheet`);
    }
    sheets.forEach((sheet, i) => {
      if (!new RegExp(`\\b${i + 1} ?/ ?${pages}\\s*$`).test(sheet.trimEnd())) fail(`${lang} ${rel} printed: sheet ${i + 1} has no "${i + 1} / ${pages}" at its foot`);
      if (!squash(sheet).includes(squash(title))) fail(`${lang} ${rel} printed: sheet ${i + 1} does not name ${title}`);
    });
    for (const s of screenOnly) {
      if (s && text.includes(squash(s))) fail(`${lang} ${rel} printed: "${s.slice(0, 60)}" is for the screen, not paper`);
    }
    console.log(`   ${rel}: ${expected.length} headers and cells, ${pages} sheets, all printed`);
  }
  await ctx.close();
}

// ---------------------------------------------------------------- shots

if (run("shots")) step("screenshots");
for (const [lang, root] of [["en", site], ["zh-Hant", siteZh]]) {
  if (!root || !run("shots")) continue;
  for (const width of [1280, 375]) {
    const ctx = await context(width);
    const page = await ctx.newPage();
    for (const rel of ["index.html", "orders/index.html", printed[0], records("capa")[0], records("customers")[0], "findings.html"]) {
      await page.goto(url(rel, root));
      const name = `${rel.replace(/\.html$/, "").replace(/\//g, "-")}-${lang}-${width}.png`;
      await page.screenshot({ path: path.join(shots, name) });
    }
    await ctx.close();
  }
}

await browser.close();
if (failures.length) {
  console.error(`\nbrowser check: ${failures.length} failures`);
  process.exit(1);
}
console.log(`browser check: ok (${sample.length} page types; PDFs in ${out}, screenshots in ${shots})`);
