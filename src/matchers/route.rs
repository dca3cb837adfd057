//! The `route` matcher: web request handlers (FastAPI/Starlette routers, Flask apps and
//! blueprints) whose full path matches a rule and that no effective authentication guards.
//!
//! A handler's full path joins the `prefix` of `include_router(...)` calls in the same file,
//! the router's own `prefix`/`url_prefix`, and the decorator's path. Authentication is any
//! dependency or decorator whose name the rule recognises (`Depends(require_admin)`,
//! `Security(...)`, `@login_required`) at the route, router, include or app level, unless it
//! is a same-file function that checks nothing (a stub: `return True`, `pass`).

use crate::matchers::pattern::NodesByKind;
use crate::matchers::pattern::consts::Const;
use crate::matchers::pattern::matcher::{FileContext, call_arguments};
use crate::matchers::taint::routes::ROUTE_METHODS;
use crate::parse::node_ext::NodeExt;
use crate::parse::python::{named_children, string_value, unparenthesize};
use crate::rules::lazy_regex::LazyRegex;
use std::collections::HashMap;
use std::ops::Range;
use tree_sitter::Node;

/// A compiled `route` rule.
#[derive(Debug)]
pub struct RouteRule {
    /// Regex over the full route path.
    pub path_regex: LazyRegex,
    /// Regex over dependency, scheme and decorator names that count as authentication.
    pub auth_names: LazyRegex,
}

/// What a router or app object contributes to its routes.
#[derive(Debug, Default, Clone)]
struct Mount {
    prefix: String,
    dependencies: Vec<String>,
}

impl RouteRule {
    /// Decorators of the unauthenticated handlers whose path matches.
    pub fn find<'t>(&self, cx: &FileContext<'t>, by_kind: &NodesByKind<'t>) -> Vec<Range<usize>> {
        let definitions = by_kind.get("decorated_definition");
        if definitions.is_none() {
            return Vec::new();
        }
        let includes = self.includes(cx, by_kind);
        let mut found: Vec<Range<usize>> = definitions
            .into_iter()
            .flatten()
            .filter_map(|definition| self.check_handler(*definition, cx, &includes))
            .collect();
        found.sort_by_key(|range| range.start);
        found
    }

    fn check_handler(
        &self,
        definition: Node<'_>,
        cx: &FileContext<'_>,
        includes: &HashMap<String, Mount>,
    ) -> Option<Range<usize>> {
        let function = definition
            .field("definition")
            .filter(|node| node.kind_name() == "function_definition")?;
        let decorators: Vec<Node<'_>> = named_children(definition)
            .into_iter()
            .filter(|child| child.kind_name() == "decorator")
            .filter_map(|decorator| decorator.named_child(0))
            .collect();
        let (route, route_decorator) = decorators
            .iter()
            .find_map(|expression| route_call(*expression, cx).map(|call| (call, *expression)))?;
        let (owner, path) = route;
        let mount = self.mount_of(owner, cx);
        let included = includes.get(cx.text(owner)).cloned().unwrap_or_default();
        let full_path = format!("{}{}{}", included.prefix, mount.prefix, path);
        if !self.path_regex.is_match(&full_path) {
            return None;
        }
        let mut dependencies: Vec<String> = Vec::new();
        dependencies.extend(mount.dependencies);
        dependencies.extend(included.dependencies);
        dependencies.extend(keyword_dependencies(route_decorator, cx));
        dependencies.extend(parameter_dependencies(function, cx));
        let decorated_auth = decorators
            .iter()
            .filter(|expression| **expression != route_decorator)
            .any(|expression| self.auth_names.is_match(callee_name(*expression, cx)));
        let authenticated = decorated_auth
            || dependencies
                .iter()
                .any(|dependency| self.auth_names.is_match(dependency) && !is_stub(dependency, cx));
        (!authenticated).then(|| {
            cx.parent(route_decorator)
                .unwrap_or(route_decorator)
                .byte_range()
        })
    }

    /// Prefixes and dependencies given by `X.include_router(router, prefix=..., dependencies=[...])`.
    fn includes<'t>(
        &self,
        cx: &FileContext<'t>,
        by_kind: &NodesByKind<'t>,
    ) -> HashMap<String, Mount> {
        let mut mounts = HashMap::new();
        for node in by_kind.get("call").into_iter().flatten().copied() {
            if node.kind_name() == "call"
                && let Some(callee) = node.field("function")
                && callee.kind_name() == "attribute"
                && callee.field("attribute").is_some_and(|method| {
                    matches!(cx.text(method), "include_router" | "register_blueprint")
                })
            {
                let (positional, keywords) = call_arguments(cx, node);
                if let Some(router) = positional.first() {
                    let mut mount = Mount::default();
                    for (name, value) in &keywords {
                        match *name {
                            "prefix" | "url_prefix" => {
                                mount.prefix = constant_string(*value, cx).unwrap_or_default()
                            }
                            "dependencies" => mount.dependencies = dependency_names(*value, cx),
                            _ => {}
                        }
                    }
                    // The app the router is included in may require authentication for all.
                    if let Some(app) = callee.field("object") {
                        mount
                            .dependencies
                            .extend(self.mount_of(app, cx).dependencies);
                    }
                    mounts.insert(cx.text(*router).to_owned(), mount);
                }
            }
        }
        mounts
    }

    /// The prefix and dependencies of the router or app object `owner` (from the call that
    /// created it: `APIRouter(prefix=..., dependencies=...)`, `Blueprint(..., url_prefix=...)`,
    /// `FastAPI(dependencies=...)`).
    fn mount_of(&self, owner: Node<'_>, cx: &FileContext<'_>) -> Mount {
        let mut mount = Mount::default();
        if owner.kind_name() != "identifier" {
            return mount;
        }
        let Some(origin) = cx
            .consts
            .origin(cx.text(owner), owner)
            .filter(|origin| origin.kind_name() == "call")
        else {
            return mount;
        };
        let (_, keywords) = call_arguments(cx, origin);
        for (name, value) in keywords {
            match name {
                "prefix" | "url_prefix" => {
                    mount.prefix = constant_string(value, cx).unwrap_or_default()
                }
                "dependencies" => mount.dependencies = dependency_names(value, cx),
                _ => {}
            }
        }
        mount
    }
}

/// `owner.get("/path", ...)` → (owner, path).
fn route_call<'t>(expression: Node<'t>, cx: &FileContext<'t>) -> Option<(Node<'t>, String)> {
    if expression.kind_name() != "call" {
        return None;
    }
    let callee = expression
        .field("function")
        .filter(|callee| callee.kind_name() == "attribute")?;
    let method = cx.text(callee.field("attribute")?);
    if !ROUTE_METHODS.contains(&method) {
        return None;
    }
    let (positional, keywords) = call_arguments(cx, expression);
    let path_node = positional.first().copied().or_else(|| {
        keywords
            .iter()
            .find(|(name, _)| *name == "path" || *name == "rule")
            .map(|(_, value)| *value)
    })?;
    let path = constant_string(path_node, cx)?;
    Some((callee.field("object")?, path))
}

fn constant_string(node: Node<'_>, cx: &FileContext<'_>) -> Option<String> {
    match cx.eval(node) {
        Some(Const::Str(value)) => Some(value),
        _ => string_value(cx.source, node),
    }
}

/// Names of the dependencies in a `dependencies=[Depends(a), Security(b)]` list.
fn dependency_names(list: Node<'_>, cx: &FileContext<'_>) -> Vec<String> {
    let list = unparenthesize(list);
    named_children(list)
        .into_iter()
        .filter_map(|item| dependency_of(item, cx))
        .collect()
}

/// `Depends(f)` / `Security(f, ...)` → `f` (or `Security` itself when it has no argument).
fn dependency_of(expression: Node<'_>, cx: &FileContext<'_>) -> Option<String> {
    let expression = unparenthesize(expression);
    if expression.kind_name() != "call" {
        return None;
    }
    let callee = callee_name(expression, cx);
    let kind = callee.rsplit('.').next().unwrap_or(callee);
    if kind != "Depends" && kind != "Security" {
        return None;
    }
    let (positional, keywords) = call_arguments(cx, expression);
    let target = positional.first().copied().or_else(|| {
        keywords
            .iter()
            .find(|(name, _)| *name == "dependency")
            .map(|(_, value)| *value)
    });
    match (kind, target) {
        (_, Some(target)) => Some(cx.text(target).to_owned()),
        ("Security", None) => Some("Security".to_owned()),
        _ => None,
    }
}

/// Dependencies declared by parameters: `x = Depends(f)`, `x: Annotated[T, Depends(f)]`.
fn parameter_dependencies(function: Node<'_>, cx: &FileContext<'_>) -> Vec<String> {
    let Some(parameters) = function.field("parameters") else {
        return Vec::new();
    };
    let mut found = Vec::new();
    let mut stack = named_children(parameters);
    while let Some(node) = stack.pop() {
        if node.kind_name() == "call"
            && let Some(dependency) = dependency_of(node, cx)
        {
            found.push(dependency);
            continue;
        }
        stack.extend(named_children(node));
    }
    found
}

/// Dependencies given on the route decorator: `@router.get("/x", dependencies=[...])`.
fn keyword_dependencies(decorator: Node<'_>, cx: &FileContext<'_>) -> Vec<String> {
    let (_, keywords) = call_arguments(cx, decorator);
    keywords
        .into_iter()
        .filter(|(name, _)| *name == "dependencies")
        .flat_map(|(_, value)| dependency_names(value, cx))
        .collect()
}

fn callee_name<'t>(expression: Node<'_>, cx: &FileContext<'t>) -> &'t str {
    let target = if expression.kind_name() == "call" {
        expression.field("function").unwrap_or(expression)
    } else {
        expression
    };
    cx.text(target)
}

/// Whether `name` is a same-file function that checks nothing: its body (docstring aside)
/// is only `pass`, `...` or `return <constant>`.
fn is_stub(name: &str, cx: &FileContext<'_>) -> bool {
    let mut stack = vec![cx.root];
    while let Some(node) = stack.pop() {
        if node.kind_name() == "function_definition"
            && node
                .field("name")
                .is_some_and(|defined| cx.text(defined) == name)
        {
            let Some(body) = node.field("body") else {
                return false;
            };
            return named_children(body)
                .into_iter()
                .enumerate()
                .all(|(index, statement)| match statement.kind_name() {
                    "pass_statement" => true,
                    "expression_statement" => {
                        let expression = statement.named_child(0);
                        expression.is_some_and(|expression| {
                            expression.kind_name() == "ellipsis"
                                || (index == 0 && expression.kind_name() == "string")
                        })
                    }
                    "return_statement" => statement
                        .named_child(0)
                        .is_none_or(|value| cx.eval(value).is_some()),
                    _ => false,
                });
        }
        if matches!(
            node.kind_name(),
            "module" | "block" | "class_definition" | "decorated_definition" | "if_statement"
        ) {
            stack.extend(named_children(node));
        }
    }
    false
}
