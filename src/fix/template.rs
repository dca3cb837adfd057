//! Fix templates: edits declared in rule files over a match's metavariables.
//!
//! A template is text with `$X` (the source text bound to `$X`), `${X}`, `${X|value}` (its
//! constant string value), `${X|env}` (an environment variable name derived from it:
//! `jwt_secret` → `JWT_SECRET`, `"AUTH_JWT_SECRET"` → `AUTH_JWT_SECRET`) and `$$` (a
//! dollar). An edit names a target (a metavariable, `keyword:NAME` of the reported call, or
//! the reported node) and one operation: `replace`, `insert_before` / `insert_after` (whole
//! lines around the target's statement, at its indentation), `set_keyword` (+ `value`) or
//! `remove_keyword` on a call.

use super::{Applicability, Edit, Fix};
use crate::matchers::pattern::consts::Const;
use crate::matchers::pattern::matcher::{Bindings, FileContext, bound, call_arguments, match_node};
use crate::matchers::pattern::ptree::{PNode, dedent};
use crate::matchers::pattern::rule::RuleObject;
use crate::parse::node_ext::NodeExt;
use crate::parse::python::named_children;
use tree_sitter::Node;

/// A parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Var { name: String, filter: Filter },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Filter {
    Text,
    Value,
    Env,
}

impl Template {
    /// Parses a template; the error says what is wrong.
    pub fn parse(text: &str) -> Result<Template, String> {
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if c != '$' {
                literal.push(c);
                continue;
            }
            let (name, filter) = match chars.peek() {
                Some('$') => {
                    chars.next();
                    literal.push('$');
                    continue;
                }
                Some('{') => {
                    chars.next();
                    let inner: String = chars.by_ref().take_while(|c| *c != '}').collect();
                    let (name, filter) = inner.split_once('|').unwrap_or((inner.as_str(), ""));
                    let filter = match filter.trim() {
                        "" => Filter::Text,
                        "value" => Filter::Value,
                        "env" => Filter::Env,
                        other => {
                            return Err(format!(
                                "unknown template filter `{other}` (use `value` or `env`)"
                            ));
                        }
                    };
                    (name.trim().trim_start_matches('$').to_owned(), filter)
                }
                _ => {
                    let mut name = String::new();
                    while let Some(next) = chars
                        .peek()
                        .filter(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || **c == '_')
                    {
                        name.push(*next);
                        chars.next();
                    }
                    (name, Filter::Text)
                }
            };
            if name.is_empty() {
                return Err(
                    "`$` must be followed by a metavariable name (write `$$` for a dollar)"
                        .to_owned(),
                );
            }
            if !literal.is_empty() {
                parts.push(Part::Text(std::mem::take(&mut literal)));
            }
            parts.push(Part::Var {
                name: format!("${name}"),
                filter,
            });
        }
        if !literal.is_empty() {
            parts.push(Part::Text(literal));
        }
        Ok(Template { parts })
    }

    /// The metavariables the template uses.
    pub fn variables(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|part| match part {
            Part::Var { name, .. } => Some(name.as_str()),
            Part::Text(_) => None,
        })
    }

    /// The text, or `None` if a metavariable is unbound or has no such value.
    pub fn render<'t>(&self, cx: &FileContext<'t>, env: &Bindings<'t>) -> Option<String> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(text) => out.push_str(text),
                Part::Var { name, filter } => {
                    let node = bound(env, name)?;
                    match filter {
                        Filter::Text => out.push_str(cx.text(node)),
                        Filter::Value => match cx.eval(node)? {
                            Const::Str(value) => out.push_str(&value),
                            _ => return None,
                        },
                        Filter::Env => {
                            let source = match cx.eval(node) {
                                Some(Const::Str(value)) => value,
                                _ => cx.text(node).to_owned(),
                            };
                            out.push_str(&env_name(&source)?);
                        }
                    }
                }
            }
        }
        Some(out)
    }
}

/// `self.jwt_secret` → `JWT_SECRET`; `apiKey` → `API_KEY`; `None` when nothing usable.
pub fn env_name(source: &str) -> Option<String> {
    let last = source
        .rsplit(['.', '[', ']', '"', '\''])
        .find(|part| !part.trim().is_empty())
        .unwrap_or(source);
    let mut name = String::new();
    let mut previous_lower = false;
    for c in last.chars() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() && previous_lower {
                name.push('_');
            }
            previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            name.push(c.to_ascii_uppercase());
        } else if !name.ends_with('_') && !name.is_empty() {
            name.push('_');
            previous_lower = false;
        }
    }
    let name = name.trim_matches('_').to_owned();
    (!name.is_empty() && !name.starts_with(|c: char| c.is_ascii_digit())).then_some(name)
}

/// Where an edit applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The reported node.
    Reported,
    /// The node bound to a metavariable.
    Meta(String),
    /// The value of a keyword argument of the reported call.
    Keyword(String),
}

/// What an edit does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operation {
    /// Replace the target's text.
    Replace(Template),
    /// Insert whole lines before the target's statement.
    InsertBefore(Template),
    /// Insert whole lines after the target's statement.
    InsertAfter(Template),
    /// Set a keyword argument of the target call (replace its value or add it).
    SetKeyword(String, Template),
    /// Remove a keyword argument of the target call.
    RemoveKeyword(String),
    /// Replace the value of a keyword argument of the target call if it has one.
    ReplaceKeyword(String, Template),
}

/// One compiled edit.
#[derive(Debug, Clone, PartialEq)]
pub struct EditTemplate {
    /// Where.
    pub target: Target,
    /// Patterns narrowing the target to one of its parts.
    pub select: Vec<PNode>,
    /// Patterns widening the target to what wraps it.
    pub widen: Vec<PNode>,
    /// What.
    pub operation: Operation,
}

/// A fix declared with edits.
#[derive(Debug)]
pub struct FixTemplate {
    /// Title shown with the finding (a template too).
    pub title: Template,
    /// Applicability.
    pub applicability: Applicability,
    /// Edits, applied together.
    pub edits: Vec<EditTemplate>,
    /// Import statements needed.
    pub imports: Vec<String>,
    /// What the user must still do (a template too).
    pub advice: Option<Template>,
    /// The fix applies only when the reported node matches this.
    pub when: Option<RuleObject>,
}

impl FixTemplate {
    /// The fix for a match whose reported node is `reported`, or `None` if a target or a
    /// metavariable is missing in this match (a rule may declare several fixes, for several
    /// shapes of match: the first that applies is used).
    pub fn instantiate<'t>(
        &self,
        path: &str,
        cx: &FileContext<'t>,
        env: &Bindings<'t>,
        reported: Node<'t>,
    ) -> Option<Fix> {
        if let Some(when) = &self.when
            && !when.matches(reported, cx, &mut env.clone())
        {
            return None;
        }
        let mut fix = Fix::new(self.title.render(cx, env)?, self.applicability);
        fix.imports = self.imports.clone();
        fix.advice = match &self.advice {
            Some(advice) => Some(advice.render(cx, env)?),
            None => None,
        };
        for edit in &self.edits {
            let target = match &edit.target {
                Target::Reported => reported,
                Target::Meta(name) => bound(env, name)?,
                Target::Keyword(name) => keyword_value(cx, call_of(reported)?, name)?,
            };
            let target = narrow(cx, env, target, &edit.select)?;
            let target = widen(cx, env, target, &edit.widen);
            let (range, replacement) = match &edit.operation {
                Operation::Replace(template) => (target.byte_range(), template.render(cx, env)?),
                Operation::InsertBefore(template) => {
                    insert_lines(cx, target, &template.render(cx, env)?, false)
                }
                Operation::InsertAfter(template) => {
                    insert_lines(cx, target, &template.render(cx, env)?, true)
                }
                Operation::SetKeyword(name, template) => {
                    set_keyword(cx, call_of(target)?, name, &template.render(cx, env)?)?
                }
                Operation::RemoveKeyword(name) => remove_keyword(cx, call_of(target)?, name)?,
                Operation::ReplaceKeyword(name, template) => {
                    match keyword_value(cx, call_of(target)?, name) {
                        Some(value) => (value.byte_range(), template.render(cx, env)?),
                        None => continue,
                    }
                }
            };
            fix.edits.push(Edit {
                path: path.to_owned(),
                range,
                replacement,
            });
        }
        Some(fix)
    }
}

/// The first part of `target` (itself included, outermost first) matching one of `select`.
fn narrow<'t>(
    cx: &FileContext<'t>,
    env: &Bindings<'t>,
    target: Node<'t>,
    select: &[PNode],
) -> Option<Node<'t>> {
    if select.is_empty() {
        return Some(target);
    }
    let mut queue = std::collections::VecDeque::from([target]);
    while let Some(node) = queue.pop_front() {
        if select
            .iter()
            .any(|pattern| match_node(pattern, node, cx, &mut env.clone()))
        {
            return Some(node);
        }
        queue.extend(named_children(node));
    }
    None
}

/// `target` widened through the ancestors matching one of `widen`, as far as they go.
fn widen<'t>(
    cx: &FileContext<'t>,
    env: &Bindings<'t>,
    mut target: Node<'t>,
    widen: &[PNode],
) -> Node<'t> {
    while let Some(parent) = cx.parent(target) {
        // `str(e)`: the call's parent chain goes through its argument list.
        let candidate = if parent.kind_name() == "argument_list" {
            cx.parent(parent).unwrap_or(parent)
        } else {
            parent
        };
        if widen
            .iter()
            .any(|pattern| match_node(pattern, candidate, cx, &mut env.clone()))
        {
            target = candidate;
        } else {
            break;
        }
    }
    target
}

/// The call a node is, or that an expression statement or assignment holds.
fn call_of(node: Node<'_>) -> Option<Node<'_>> {
    match node.kind_name() {
        "call" => Some(node),
        "expression_statement" | "await" | "parenthesized_expression" => {
            named_children(node).into_iter().find_map(call_of)
        }
        "assignment" => node.field("right").and_then(call_of),
        "decorator" => node.named_child(0).and_then(call_of),
        _ => None,
    }
}

fn keyword_value<'t>(cx: &FileContext<'t>, call: Node<'t>, name: &str) -> Option<Node<'t>> {
    call_arguments(cx, call)
        .1
        .into_iter()
        .find(|(keyword, _)| *keyword == name)
        .map(|(_, value)| value)
}

/// The statement holding `node` (the child of a block or module on its path).
fn statement_of<'t>(cx: &FileContext<'t>, node: Node<'t>) -> Node<'t> {
    let mut current = node;
    while let Some(parent) = cx.parent(current) {
        if matches!(parent.kind_name(), "block" | "module") {
            return current;
        }
        current = parent;
    }
    current
}

/// Whole lines before (or after) the statement holding `target`, at its indentation.
fn insert_lines(
    cx: &FileContext<'_>,
    target: Node<'_>,
    lines: &str,
    after: bool,
) -> (std::ops::Range<usize>, String) {
    let statement = statement_of(cx, target);
    let source = cx.source;
    let line_start = source[..statement.start_byte()]
        .rfind('\n')
        .map_or(0, |index| index + 1);
    let indent: String = source[line_start..statement.start_byte()]
        .chars()
        .take_while(|c| c.is_whitespace())
        .collect();
    let body: Vec<String> = dedent(lines)
        .lines()
        .map(|line| {
            if line.trim().is_empty() {
                String::new()
            } else {
                format!("{indent}{line}")
            }
        })
        .collect();
    if after {
        // After the end of the statement's last line (a trailing comment stays with it).
        let line_end = source[statement.end_byte()..]
            .find('\n')
            .map_or(source.len(), |index| statement.end_byte() + index);
        (line_end..line_end, format!("\n{}", body.join("\n")))
    } else {
        (line_start..line_start, format!("{}\n", body.join("\n")))
    }
}

/// Replaces the value of keyword `name` in `call`, or adds the argument.
fn set_keyword(
    cx: &FileContext<'_>,
    call: Node<'_>,
    name: &str,
    value: &str,
) -> Option<(std::ops::Range<usize>, String)> {
    if let Some(existing) = keyword_value(cx, call, name) {
        return Some((existing.byte_range(), value.to_owned()));
    }
    let arguments = call
        .field("arguments")
        .filter(|arguments| arguments.kind_name() == "argument_list")?;
    let argument = format!("{name}={value}");
    let last = named_children(arguments).into_iter().last();
    let close = arguments.end_byte().saturating_sub(1);
    let Some(last) = last else {
        return Some((close..close, argument));
    };
    let between = &cx.source[last.end_byte()..close];
    let trailing_comma = between.trim_start().starts_with(',');
    let multiline = between.contains('\n');
    if multiline {
        // One argument per line: a new line at the last argument's indentation.
        let line_start = cx.source[..last.start_byte()]
            .rfind('\n')
            .map_or(0, |index| index + 1);
        let indent: String = cx.source[line_start..last.start_byte()]
            .chars()
            .take_while(|c| c.is_whitespace())
            .collect();
        let at = if trailing_comma {
            last.end_byte() + between.find(',').unwrap_or(0) + 1
        } else {
            last.end_byte()
        };
        let lead = if trailing_comma { "" } else { "," };
        let tail = if trailing_comma { "," } else { "" };
        return Some((at..at, format!("{lead}\n{indent}{argument}{tail}")));
    }
    if trailing_comma {
        let at = last.end_byte() + between.find(',').unwrap_or(0) + 1;
        return Some((at..at, format!(" {argument},")));
    }
    Some((last.end_byte()..last.end_byte(), format!(", {argument}")))
}

/// Removes keyword argument `name` from `call`, with its separating comma.
fn remove_keyword(
    cx: &FileContext<'_>,
    call: Node<'_>,
    name: &str,
) -> Option<(std::ops::Range<usize>, String)> {
    let arguments = call.field("arguments")?;
    let items = named_children(arguments);
    let index = items.iter().position(|item| {
        item.kind_name() == "keyword_argument"
            && item
                .field("name")
                .is_some_and(|keyword| cx.text(keyword) == name)
    })?;
    let item = items[index];
    let end = match items.get(index + 1) {
        Some(next) => next.start_byte(),
        None => {
            // Last argument: take the comma before it instead (or a trailing one after it).
            let after = &cx.source[item.end_byte()..arguments.end_byte().saturating_sub(1)];
            if let Some(previous) = index.checked_sub(1).map(|previous| items[previous]) {
                return Some((previous.end_byte()..item.end_byte(), String::new()));
            }
            item.end_byte() + after.find(',').map_or(0, |comma| comma + 1)
        }
    };
    Some((item.start_byte()..end, String::new()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_parse_variables_and_filters() {
        let template = Template::parse("os.environ[${N|value}] + $X + $$").unwrap();
        assert_eq!(template.variables().collect::<Vec<_>>(), vec!["$N", "$X"]);
        assert!(Template::parse("${X|upper}").is_err());
    }

    #[test]
    fn env_names_are_derived_from_names_and_values() {
        assert_eq!(env_name("jwt_secret").as_deref(), Some("JWT_SECRET"));
        assert_eq!(env_name("self.apiKey").as_deref(), Some("API_KEY"));
        assert_eq!(
            env_name("\"AUTH_JWT_SECRET\"").as_deref(),
            Some("AUTH_JWT_SECRET")
        );
        assert_eq!(
            env_name("settings['db-password']").as_deref(),
            Some("DB_PASSWORD")
        );
        assert_eq!(env_name("123"), None);
    }
}
