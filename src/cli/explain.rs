//! `factlint explain`: why a finding fired (every binding, every predicate with the
//! values it compared) and why an expected one did not (the first predicate that failed).

use super::{GlobalArgs, SuiteArgs};
use crate::diag::escape::visible;
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// A finding id (as printed by `check`), or with --rule and --bind, nothing.
    pub finding: Option<String>,
    /// Dataset folders or files. Default: `data:` in factlint.yaml.
    #[arg(long = "data", value_name = "PATH")]
    pub data: Vec<PathBuf>,
    /// Explain this rule for the records given with --bind (why it did or did not fire).
    #[arg(long, value_name = "ID")]
    pub rule: Option<String>,
    /// Bind a rule variable to a record: `--bind s=rus-mfa-2026-01-06` (repeatable).
    /// Variables left out are searched: the nearest candidates are shown.
    #[arg(long = "bind", value_name = "VAR=ID")]
    pub bind: Vec<String>,
    /// With --rule: show how the rule is evaluated (access path per binding, pushed-down
    /// filters, indexed aggregates) instead of explaining a binding.
    #[arg(long, requires = "rule")]
    pub plan: bool,
    #[command(flatten)]
    pub suite: SuiteArgs,
}

pub fn run(global: &GlobalArgs, args: ExplainArgs) -> i32 {
    let loaded = match super::load(global, args.suite.options(&args.data, &[])) {
        Ok(l) => l,
        Err(c) => return c,
    };
    // errors in the data were shown; the explanation reads what loaded, and the exit
    // code says the data had errors, as `check`'s does
    let ok = if loaded.data_errors.is_some() { 2 } else { 0 };
    if let Some(rule_id) = &args.rule {
        let Some(rule) = loaded.suite.rules.iter().find(|r| &r.info.id == rule_id) else {
            eprintln!("error: no rule `{}` in the suite", visible(rule_id));
            return 2;
        };
        if args.plan {
            // names in a plan come from rule and schema files: each line shown visibly
            let plan = crate::plan::plan_rule(rule).to_string();
            let mut text = format!("rule {}\n", visible(&rule.info.id));
            for line in plan.lines() {
                text.push_str(&visible(line));
                text.push('\n');
            }
            super::out(&text);
            return 0;
        }
        let mut bind = Vec::new();
        for b in &args.bind {
            match b.split_once('=') {
                Some((v, id)) => bind.push((v.trim().to_string(), id.trim().to_string())),
                None => {
                    eprintln!("error: `--bind {}`: expected VAR=ID", visible(b));
                    return 2;
                }
            }
        }
        return match loaded.explain_binding(rule_id, &bind) {
            Ok(t) => {
                super::out(&t);
                ok
            }
            Err(e) => {
                eprintln!("error: {e}");
                2
            }
        };
    }
    let Some(id) = &args.finding else {
        eprintln!("error: give a finding id, or --rule ID with --bind VAR=ID for each variable");
        return 2;
    };
    let (report, _) = loaded.run();
    match loaded.explain_finding(&report, id) {
        Some(t) => {
            super::out(&t);
            ok
        }
        None => {
            eprintln!("error: no finding `{}` in this run", visible(id));
            eprintln!("help: `factlint check` prints finding ids; `factlint explain --rule ID --bind VAR=ID ...` explains a finding that did not fire");
            2
        }
    }
}
