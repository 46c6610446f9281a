#!/usr/bin/env python3
"""The HTML report (`factlint check --format html`) in a real browser, headless Chromium.
Usage:

    python3 scripts/html-browser.py [FACTLINT]

FACTLINT defaults to target/debug/factlint; it runs from the repository's root on the
bundled example, with `--fail-on never`. The same run's `--format json` gives the
numbers the page must show.

Static checks: nothing is loaded from the network (the only http(s) addresses are the
<a href> links of the sources list), there is exactly one <script>, and a
Content-Security-Policy meta says `default-src 'none'`.

In the browser, with no server and no Python package beyond the standard library: a
copy of the report with a test harness appended (an inline <script>, which the page's
CSP allows) is loaded with `chromium --headless=new --dump-dom`. The harness counts
the findings, sets each filter in turn (every rule, every severity, every tag, and
possible findings off) with a `change` event, records what is visible and what
#shown says, reads the timelines, and writes all of it as JSON into
<pre id="test-results">, which this script reads back from the dumped DOM and
compares with the JSON report. The example has no possible findings, so the filters
are tried again on tests/corpus/eval/compact-dates, which has certain and possible
ones. Then it takes screenshots of the unmodified report: target/html-report.png
(1280x2400) and target/html-report-top.png (1280x1100); the report itself is kept as
target/html-report.html.

Lines starting `note` are not failures: what a person should look at (a timeline label
that runs into the plot, an in-page link whose target lands under the sticky header).

Chromium is looked for as chromium, chromium-browser or google-chrome. When it is
missing and this runs as root with apt-get, Debian's chromium package is installed.
When it still cannot run, the script prints `SKIP html-browser: <reason>` and exits 0.
Otherwise it prints one ok/FAIL line per check and exits 1 on any failure.
"""
import collections
import html
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time

PRINCIPLE_RULE = "principle-contradicted-by-own-action"

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FAILURES = []
PREFIX = ""  # before each check's line: which report it is about
# a small corpus with certain and possible findings, for the #f-possible filter
POSSIBLE_CORPUS = "tests/corpus/eval/compact-dates"
BROWSERS = ("chromium", "chromium-browser", "google-chrome")


def check(ok, what):
    what = PREFIX + what
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        FAILURES.append(what)
    return ok


def note(what):
    print("note " + PREFIX + what)


def skip(reason):
    print(f"SKIP html-browser: {reason}")
    sys.exit(0)


# ---------------------------------------------------------------------------
# Chromium: find it, install it when missing (root with apt-get), see that it runs

def find_browser():
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


def apt_install():
    """Debian's chromium, quietly; `apt-get update` only when the first try fails."""
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium", "fonts-dejavu-core"]
    quiet = dict(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    print("chromium is missing: installing it with apt-get", flush=True)
    if subprocess.run(install, **quiet).returncode == 0:
        return True
    subprocess.run(["apt-get", "update", "-qq"], **quiet)
    return subprocess.run(install, **quiet).returncode == 0


def browser_args(browser, profile):
    # --no-sandbox: Chromium's sandbox refuses to start as root (and in most containers)
    return [browser, "--headless=new", "--no-sandbox", "--disable-gpu",
            "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
            "--disable-extensions", "--disable-background-networking",
            f"--user-data-dir={profile}"]


def run_browser(browser, profile, extra, timeout=90):
    started = time.monotonic()
    try:
        p = subprocess.run(browser_args(browser, profile) + extra, capture_output=True,
                           text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return None, f"no answer in {timeout} s", time.monotonic() - started
    return p, None, time.monotonic() - started


def last_line(text):
    lines = [line for line in (text or "").splitlines() if line.strip()]
    return lines[-1].strip() if lines else "(nothing on stderr)"


def file_url(path):
    return "file://" + os.path.abspath(path)


# ---------------------------------------------------------------------------
# static checks of the HTML text

def static_checks(page):
    sources = re.search(r'<section id="sources">.*?</section>', page, re.S)
    start, end = (sources.start(), sources.end()) if sources else (len(page), len(page))
    external = []
    for m in re.finditer(r'<(\w+)\b[^>]*?\b(src|href)\s*=\s*["\']?\s*(https?:|//)', page, re.I):
        tag, attr = m.group(1).lower(), m.group(2).lower()
        in_sources = start <= m.start() < end
        if not (in_sources and tag == "a" and attr == "href"):
            external.append(m.group(0)[:80])
    check(not external, "no src=/href= to an http(s) resource but the <a href> links of the sources list"
          + (f": {external[:3]}" if external else ""))
    links = len(re.findall(r'<a\b[^>]*\bhref="https?:', page[start:end], re.I))
    check(sources is not None and links > 0,
          f"section#sources links its sources ({links} <a href> links to http(s))")
    css_urls = re.findall(r'url\(\s*["\']?(?!data:)[^)]*\)|@import', page, re.I)
    check(not css_urls, "no url(...) or @import in the CSS" + (f": {css_urls[:3]}" if css_urls else ""))
    scripts = len(re.findall(r'<script\b', page, re.I))
    check(scripts == 1, f"exactly one <script> ({scripts})")
    csp = re.search(r'<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"', page, re.I)
    policy = html.unescape(csp.group(1)) if csp else ""
    directives = [d.strip() for d in policy.split(";")]
    check("default-src 'none'" in directives,
          f"a Content-Security-Policy meta with default-src 'none' ({policy or 'none found'})")
    head = page.find("</head>")
    check(csp is not None and csp.start() < head and page.find("<style") > csp.start(),
          "the CSP meta comes in <head> before the style and script it governs")
    return policy


# ---------------------------------------------------------------------------
# the harness appended to a copy of the report

HARNESS_HEAD = """<script>
window.__errors=[];
addEventListener('error',function(e){__errors.push('error: '+(e.message||e.type));});
document.addEventListener('securitypolicyviolation',function(e){
  __errors.push('CSP violation: '+e.violatedDirective+' '+e.blockedURI);});
</script>
"""

HARNESS = r"""<pre id="test-results"></pre>
<script>
(function(){
  var out={};
  function $(s){return document.querySelector(s);}
  function all(s){return Array.prototype.slice.call(document.querySelectorAll(s));}
  function rendered(e){return e.getClientRects().length>0;}
  function state(){
    var fs=all('article.finding');
    var subjects=all('div.subject');
    var rules=all('section.rule');
    return {
      visible:fs.filter(rendered).length,
      notHidden:fs.filter(function(f){return !f.hidden;}).length,
      shown:$('#shown').textContent,
      rules:rules.filter(rendered).map(function(r){return r.dataset.rule;}),
      emptyVisibleSubjects:subjects.filter(function(s){
        return rendered(s)&&!s.querySelector('article.finding:not([hidden])');}).length,
      emptyVisibleRules:rules.filter(function(r){
        return rendered(r)&&!r.querySelector('article.finding:not([hidden])');}).length,
      hiddenSubjectsWithFindings:subjects.filter(function(s){
        return s.hidden&&s.querySelector('article.finding:not([hidden])');}).length
    };
  }
  function set(values){
    var rule=$('#f-rule'),sev=$('#f-severity'),tag=$('#f-tag'),pos=$('#f-possible');
    rule.value=values.rule||'';sev.value=values.severity||'';tag.value=values.tag||'';
    pos.checked=values.possible!==false;
    [rule,sev,tag,pos].forEach(function(e){e.dispatchEvent(new Event('change',{bubbles:true}));});
    // a value that is not among the options leaves the select empty: say so
    return {rule:rule.value,severity:sev.value,tag:tag.value,possible:pos.checked};
  }
  function options(id){
    return all('#'+id+' option').map(function(o){return o.value;});
  }
  try{
    out.total=all('article.finding').length;
    out.initial=state();
    out.findings=all('article.finding').map(function(f){
      return {id:f.id,rule:f.dataset.rule,severity:f.dataset.severity,
              tags:f.dataset.tags,certainty:f.dataset.certainty};});
    out.options={rule:options('f-rule'),severity:options('f-severity'),tag:options('f-tag')};
    out.possibleBox={type:$('#f-possible').type,checked:$('#f-possible').checked};
    var cases=[];
    out.options.rule.filter(Boolean).forEach(function(v){cases.push({rule:v});});
    out.options.severity.filter(Boolean).forEach(function(v){cases.push({severity:v});});
    out.options.tag.filter(Boolean).forEach(function(v){cases.push({tag:v});});
    cases.push({possible:false});
    if(out.options.tag.length>1)
      cases.push({severity:'warning',tag:out.options.tag[1],possible:false});
    out.filters=cases.map(function(c){
      var applied=set(c);var s=state();s.filter=c;s.applied=applied;return s;});
    set({});
    out.reset=state();
    out.timelines=all('svg.timeline').map(function(svg){
      function marks(kind){return all.call(null,'x').concat(
        Array.prototype.slice.call(svg.querySelectorAll('g.'+kind))).map(function(g){
        var t=g.querySelector('title'),b=g.getBBox();
        return {title:t?t.textContent:null,x:b.x,width:b.width,y:b.y};});}
      var vb=svg.viewBox.baseVal;
      var labels=Array.prototype.slice.call(svg.querySelectorAll(':scope > text')).filter(
        function(t){return t.getAttribute('x')==='4';}).map(function(t){
          var b=t.getBBox();return {text:t.textContent,right:b.x+b.width};});
      var windows=Array.prototype.slice.call(svg.querySelectorAll('rect.window')).map(function(r){
        var t=r.querySelector('title');
        return {x:r.x.baseVal.value,width:r.width.baseVal.value,title:t?t.textContent:null};});
      var section=svg.closest('section.rule');
      return {actor:svg.dataset.actor,rule:section?section.dataset.rule:null,
              viewBox:[vb.x,vb.y,vb.width,vb.height],
              rendered:rendered(svg),statements:marks('statement'),actions:marks('action'),
              windows:windows,labels:labels};
    });
    out.sources=all('section#sources ol li').map(function(li){return li.id;});
    out.verdictRows=all('section#verdicts table tr').filter(function(tr){
      return tr.querySelector('td');}).length;
    // where an in-page link lands: scrollIntoView scrolls as following the link does
    // (scroll-margin and scroll-padding included); under the sticky header?
    var header=$('header');
    out.anchors=['section#verdicts a[href^="#f-"]','a[href^="#src-"]'].map(function(sel){
      var a=$(sel),t=a&&document.getElementById(a.getAttribute('href').slice(1));
      if(!t)return null;
      t.scrollIntoView();
      var r={link:a.getAttribute('href'),top:t.getBoundingClientRect().top,
             header:header?header.getBoundingClientRect().bottom:0};
      window.scrollTo(0,0);return r;}).filter(Boolean);
  }catch(e){out.exception=String(e&&e.stack||e);}
  out.errors=window.__errors||['the head harness did not run'];
  $('#test-results').textContent=JSON.stringify(out);
})();
</script>
"""


def with_harness(page):
    head = page.find("</head>")
    body = page.rfind("</body>")
    if head < 0 or body < 0:
        return None
    return page[:head] + HARNESS_HEAD + page[head:body] + HARNESS + page[body:]


def read_results(dom):
    m = re.search(r'<pre id="test-results">(.*?)</pre>', dom, re.S)
    if not m or not m.group(1).strip():
        return None
    return json.loads(html.unescape(m.group(1)))


# ---------------------------------------------------------------------------
# what the JSON report says the page must show

def expected_counts(report):
    tags = {r["id"]: set(r.get("tags") or []) for r in report["rules"]}
    findings = report["findings"]

    def count(pred):
        chosen = [f for f in findings if pred(f)]
        return len(chosen), sorted({f["rule"] for f in chosen})

    def expect(flt):
        return count(lambda f: (not flt.get("rule") or f["rule"] == flt["rule"])
                     and (not flt.get("severity") or f["severity"] == flt["severity"])
                     and (not flt.get("tag") or flt["tag"] in tags.get(f["rule"], ()))
                     and (flt.get("possible", True) or f["certainty"] == "certain"))

    return tags, expect


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", head[16:24])


# ---------------------------------------------------------------------------

def main():
    args = sys.argv[1:]
    factlint = args[0] if args else "target/debug/factlint"
    factlint = os.path.abspath(factlint if os.path.exists(factlint) else os.path.join(ROOT, factlint))
    if not os.path.exists(factlint):
        sys.exit(f"html-browser: {factlint} does not exist (build it with cargo build)")

    browser = find_browser()
    if not browser:
        if os.geteuid() == 0 and shutil.which("apt-get"):
            if not apt_install():
                skip("chromium is not installed and apt-get could not install it")
            browser = find_browser()
            if not browser:
                skip("apt-get installed chromium but none of " + ", ".join(BROWSERS) + " is on PATH")
        else:
            skip("no chromium, chromium-browser or google-chrome on PATH"
                 + ("" if os.geteuid() == 0 else " (and not root, so not installed)")
                 + " (Debian: apt-get install chromium)")

    work = tempfile.mkdtemp(prefix="factlint-html-browser-")
    try:
        return run(factlint, browser, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(factlint, browser, work):
    profile = os.path.join(work, "profile")

    # Chromium can be installed yet unable to run here (missing libraries, no /dev/shm):
    # a trivial page tells that apart from a broken report
    probe = os.path.join(work, "probe.html")
    with open(probe, "w", encoding="utf-8") as f:
        f.write("<!doctype html><p id=p>no</p><script>document.getElementById('p').textContent="
                "'probe-'+'ran'</script>")
    p, err, secs = run_browser(browser, profile, ["--dump-dom", file_url(probe)], timeout=60)
    if err or p.returncode != 0 or "probe-ran" not in p.stdout:
        reason = err or f"exit {p.returncode}: {last_line(p.stderr)}"
        skip(f"{os.path.basename(browser)} cannot run headless here ({reason})")
    version = subprocess.run([browser, "--version"], capture_output=True, text=True,
                             timeout=30).stdout.strip() or os.path.basename(browser)
    print(f"{version} ({browser}), headless start {secs:.1f} s")

    # the example's report, HTML and JSON, from the same run
    rendered = render(factlint, [])
    if rendered is None:
        return 1
    page, report = rendered
    target = os.path.join(ROOT, "target")
    os.makedirs(target, exist_ok=True)
    report_path = os.path.join(target, "html-report.html")
    with open(report_path, "w", encoding="utf-8") as f:
        f.write(page)

    # static checks
    policy = static_checks(page)

    # the page in the browser, with the harness
    results, secs = in_browser(browser, profile, work, page, policy)
    if results:
        browser_checks(results, report)
        print(f"the page tested in the browser in {secs:.1f} s")

    # The example has no possible findings, so unchecking #f-possible hides nothing
    # there: a small corpus with certain and possible findings tests that filter
    possible = sum(f["certainty"] == "possible" for f in report["findings"])
    if not possible and os.path.isdir(os.path.join(ROOT, POSSIBLE_CORPUS)):
        global PREFIX
        PREFIX = f"[{POSSIBLE_CORPUS}] "
        print(f"the example has no possible findings: the filters again on {POSSIBLE_CORPUS}")
        rendered = render(factlint, ["--rules", f"{POSSIBLE_CORPUS}/rules.rules", POSSIBLE_CORPUS])
        if rendered is not None:
            page2, report2 = rendered
            res2, _ = in_browser(browser, profile, work, page2, policy)
            if res2:
                check(res2["total"] > 0 and any(f["certainty"] == "possible" for f in res2["findings"])
                      and any(f["certainty"] == "certain" for f in res2["findings"]),
                      "the page has certain and possible findings")
                browser_checks(res2, report2, example=False)
        PREFIX = ""

    # screenshots of the unmodified report
    shots = [("html-report.png", "1280,2400", (1280, 2400)), ("html-report-top.png", "1280,1100", (1280, 1100))]
    for name, size, dims in shots:
        out = os.path.join(target, name)
        if os.path.exists(out):
            os.remove(out)
        p, err, secs = run_browser(browser, profile, ["--hide-scrollbars", f"--window-size={size}",
                                                      f"--screenshot={out}", file_url(report_path)])
        exists = os.path.exists(out)
        nbytes = os.path.getsize(out) if exists else 0
        got = png_size(out) if exists else None
        problem = err or ("" if exists else f"no file (exit {p.returncode}: {last_line(p.stderr)})")
        check(exists and nbytes > 20_000 and got == dims,
              f"screenshot {os.path.relpath(out, ROOT)}: {nbytes} bytes, "
              f"{'x'.join(map(str, got)) if got else 'not a PNG'} (expected > 20000 bytes, "
              f"{dims[0]}x{dims[1]}){' ' + problem if problem else ''}")
        if exists:
            print(f"screenshot: {out}")

    print(f"the report: {report_path}")
    if FAILURES:
        print(f"html-browser: {len(FAILURES)} check(s) failed")
        return 1
    print("html-browser: the HTML report works in headless Chromium")
    return 0


def render(factlint, args):
    """`factlint check ARGS --fail-on never` as HTML and as JSON: (page, report), or None."""
    base = [factlint, "check", *args, "--fail-on", "never"]
    h = subprocess.run(base + ["--format", "html"], cwd=ROOT, capture_output=True, text=True)
    j = subprocess.run(base + ["--format", "json"], cwd=ROOT, capture_output=True, text=True)
    shown = " ".join(["factlint check", *args, "--fail-on never"])
    if not check(h.returncode == 0 and h.stdout.startswith("<!doctype html>"),
                 f"{shown} --format html exits 0 with a page (exit {h.returncode})"):
        print(h.stderr, file=sys.stderr)
        return None
    try:
        report = json.loads(j.stdout)
    except ValueError as e:
        check(False, f"{shown} --format json writes JSON ({e})")
        return None
    findings = report["findings"]
    severity = collections.Counter(f["severity"] for f in findings)
    certainty = collections.Counter(f["certainty"] for f in findings)
    print(f"{PREFIX}the JSON report: {len(findings)} findings of {len({f['rule'] for f in findings})} rules, "
          f"by severity {dict(sorted(severity.items()))}, "
          f"{certainty['certain']} certain, {certainty['possible']} possible")
    return h.stdout, report


def in_browser(browser, profile, work, page, policy):
    """The page with the harness through `chromium --dump-dom`: (results, seconds)."""
    tested = with_harness(page)
    if tested is None:
        check(False, "the page has </head> and </body> for the harness")
        return None, 0
    tested_path = os.path.join(work, "report-tested.html")
    with open(tested_path, "w", encoding="utf-8") as f:
        f.write(tested)
    p, err, secs = run_browser(browser, profile, ["--dump-dom", file_url(tested_path)])
    if err or p.returncode != 0:
        check(False, f"chromium --dump-dom of the report "
              f"({err or 'exit %d: %s' % (p.returncode, last_line(p.stderr))})")
        return None, secs
    try:
        results = read_results(p.stdout)
    except ValueError as e:
        check(False, f"the harness wrote JSON into #test-results ({e})")
        return None, secs
    if results is None:
        check(False, "the harness wrote its results into #test-results "
              "(it did not run: does the CSP allow inline scripts? " + (policy or "no CSP") + ")")
    return results, secs


def browser_checks(res, report, example=True):
    if res.get("exception"):
        check(False, f"the harness ran without an exception ({res['exception'][:300]})")
        return
    errors = res.get("errors") or []
    check(not errors, "no script error and no CSP violation on the page" + (f": {errors[:3]}" if errors else ""))

    findings = report["findings"]
    tags, expect = expected_counts(report)
    n = len(findings)
    init = res["initial"]
    check(res["total"] == n, f"article.finding: {res['total']} in the page, {n} in the JSON report")
    check(init["visible"] == n and init["shown"] == f"{n} shown",
          f"at first all are visible: {init['visible']} visible, #shown says {init['shown']!r}")

    # each finding's data-* against the JSON report
    page = {f["id"]: f for f in res["findings"]}
    wrong = []
    for f in findings:
        got = page.get("f-" + f["id"])
        want = {"rule": f["rule"], "severity": f["severity"], "certainty": f["certainty"],
                "tags": sorted(tags.get(f["rule"], ()))}
        if got is None:
            wrong.append(f"f-{f['id']} missing")
            continue
        have = {"rule": got["rule"], "severity": got["severity"], "certainty": got["certainty"],
                "tags": sorted((got["tags"] or "").split())}
        if have != want:
            wrong.append(f"f-{f['id']}: {have} != {want}")
    check(not wrong, "each finding's id, data-rule, data-severity, data-tags, data-certainty "
          "match the JSON report" + (f": {wrong[:3]}" if wrong else ""))

    # the filters' options
    opts = res["options"]
    rules_found = {f["rule"] for f in findings}
    check(opts["rule"][:1] == [""] and set(opts["rule"][1:]) == rules_found,
          f"#f-rule offers all and the {len(rules_found)} rules with findings ({len(opts['rule']) - 1} offered)")
    severities = {f["severity"] for f in findings}
    check(opts["severity"][:1] == [""] and severities <= set(opts["severity"][1:]) <= {"error", "warning", "info"},
          f"#f-severity offers all and the severities of the findings ({', '.join(opts['severity'][1:])})")
    tags_found = set().union(*(tags.get(r, set()) for r in rules_found)) if rules_found else set()
    check(opts["tag"][:1] == [""] and tags_found <= set(opts["tag"][1:]),
          f"#f-tag offers all and the {len(tags_found)} tags of the rules with findings")
    check(res["possibleBox"] == {"type": "checkbox", "checked": True},
          "#f-possible is a checkbox, checked at first")

    # each filter: the visible findings, #shown, the visible rules
    def describe(flt):
        return ", ".join(f"{k}={v}" if k != "possible" else "possible off" for k, v in flt.items())

    for s in res["filters"]:
        flt = s["filter"]
        want, want_rules = expect(flt)
        applied_ok = all(s["applied"][k] == v for k, v in flt.items())
        ok = (applied_ok and s["visible"] == want and s["notHidden"] == want
              and s["shown"] == f"{want} shown" and sorted(s["rules"]) == want_rules
              and s["emptyVisibleSubjects"] == 0 and s["emptyVisibleRules"] == 0
              and s["hiddenSubjectsWithFindings"] == 0)
        line = (f"filter {describe(flt)}: {s['visible']} visible, #shown {s['shown']!r}, "
                f"{len(s['rules'])} rule section(s) (expected {want}, {len(want_rules)})")
        if not ok:
            detail = []
            if not applied_ok:
                detail.append(f"the select took {s['applied']}")
            extra = sorted(set(s["rules"]) - set(want_rules))
            missing = sorted(set(want_rules) - set(s["rules"]))
            if extra:
                detail.append(f"rule sections shown that should be hidden: {', '.join(extra[:4])}"
                              + (", ..." if len(extra) > 4 else ""))
            if missing:
                detail.append(f"rule sections hidden that should show: {', '.join(missing)}")
            for k in ("emptyVisibleSubjects", "emptyVisibleRules", "hiddenSubjectsWithFindings"):
                if s[k]:
                    detail.append(f"{k}={s[k]}")
            line += ": " + "; ".join(detail) if detail else ""
        check(ok, line)
    tried = {k for s in res["filters"] for k in s["filter"]}
    if example:
        check({"rule", "severity", "tag", "possible"} <= tried
              and any(s["filter"] == {"severity": "error"} for s in res["filters"]),
              "the filters tried include every rule, every severity (error too), every tag, possible off")
    else:
        off = [s for s in res["filters"] if s["filter"] == {"possible": False}]
        certain = sum(f["certainty"] == "certain" for f in findings)
        check(bool(off) and certain < n and off[0]["visible"] == certain,
              f"unchecking #f-possible hides the {n - certain} possible findings and keeps the {certain} certain ones")

    reset = res["reset"]
    check(reset["visible"] == n and reset["shown"] == f"{n} shown" and not reset["emptyVisibleRules"],
          f"after resetting the filters all are visible again: {reset['visible']} visible, "
          f"#shown says {reset['shown']!r}")
    if not example:
        return

    # the timelines
    # one timeline per actor in each rule's section; the rule with a `within`
    # window (principle-contradicted-by-own-action) shades it in every timeline
    per_rule = {(t["rule"], t["actor"]): t for t in res["timelines"]}
    check(len(per_rule) == len(res["timelines"]) and len(per_rule) >= 1,
          f"svg.timeline, one per actor of a rule: {', '.join(a for _, a in per_rule) or 'none'}")
    tl = {t["actor"]: t for t in res["timelines"] if t["rule"] == PRINCIPLE_RULE}
    for (rule, actor), t in per_rule.items():
        width = t["viewBox"][2]
        inside = all(m["x"] >= 0 and m["x"] + m["width"] <= width + 0.5
                     for m in t["statements"] + t["actions"] + t["windows"])
        windowed = bool(t["windows"]) or rule != PRINCIPLE_RULE
        check(t["rendered"] and t["statements"] and windowed and inside
              and all(m["title"] for m in t["statements"] + t["actions"]),
              f"timeline {actor} ({rule}): {len(t['statements'])} statement(s), {len(t['actions'])} action(s), "
              f"{len(t['windows'])} window(s), each mark titled and inside the viewBox")
        for label in t["labels"]:
            plot = min([m["x"] for m in t["statements"] + t["actions"] + t["windows"]] or [width])
            if label["right"] > plot:
                note(f"timeline {actor}: the label {label['text']!r} ends at x={label['right']:.0f}, "
                     f"past the plot's start at x={plot:.0f}")
    rus = tl.get("RUS")
    if check(rus is not None, "Russia's timeline (data-actor=RUS) is there"):
        actions = {m["title"].split(":")[0]: m for m in rus["actions"] if m["title"]}
        want = ["rus-georgia-2008", "rus-crimea-2014", "rus-ukraine-2022"]
        missing = [a for a in want if a not in actions]
        check(not missing, "RUS timeline has the actions Georgia (rus-georgia-2008), Crimea "
              "(rus-crimea-2014) and Ukraine (rus-ukraine-2022)"
              + (f": missing {missing}, has {sorted(actions)}" if missing else ""))
        if not missing:
            xs = [actions[a]["x"] for a in want]
            check(xs == sorted(xs) and len(set(xs)) == 3,
                  "RUS: the three actions lie in date order along the axis "
                  f"(x = {', '.join(f'{x:.0f}' for x in xs)})")
            titles = [actions[a]["title"] for a in want]
            check(titles[0] == "rus-georgia-2008: 2008-08-08..2008-08-12",
                  f"RUS: the Georgia action's title gives its span ({titles[0]!r})")
    for a in res.get("anchors", []):
        if a["top"] < a["header"]:
            note(f"following the link {a['link']} puts its target at y={round(a['top']) + 0}, under the sticky "
                 f"header (which ends at y={a['header']:.0f})")
    check(len(res["sources"]) > 0 and all(re.fullmatch(r"src-\d+", s) for s in res["sources"]),
          f"section#sources lists {len(res['sources'])} sources, each li#src-N")
    check(res["verdictRows"] == len(report["verdicts"]),
          f"section#verdicts table: {res['verdictRows']} rows, {len(report['verdicts'])} verdicts in the JSON report")


if __name__ == "__main__":
    sys.exit(main())
