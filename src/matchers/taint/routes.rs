//! Web framework knowledge for taint sources: which functions are request handlers
//! (FastAPI/Starlette/Flask/Quart route decorators) and which of their parameters carry
//! request data (path, query, body, headers, the request object), as opposed to injected
//! dependencies (`Depends(...)`, database sessions, background tasks).

use crate::matchers::pattern::matcher::FileContext;
use crate::parse::node_ext::NodeExt;
use crate::parse::python::named_children;
use tree_sitter::Node;

/// Decorator methods that register a request handler (`@app.get`, `@router.post`,
/// `@bp.route`...).
pub const ROUTE_METHODS: &[&str] = &[
    "get",
    "post",
    "put",
    "patch",
    "delete",
    "head",
    "options",
    "trace",
    "api_route",
    "route",
    "websocket",
];

/// Parameter annotations that are framework-injected objects, not request data.
const INJECTED_TYPES: &[&str] = &[
    "Session",
    "AsyncSession",
    "BackgroundTasks",
    "Response",
    "Connection",
    "AsyncConnection",
];

/// Default-value calls that make a parameter an injected dependency.
const INJECTED_DEFAULTS: &[&str] = &["Depends", "Security"];

/// Whether the function definition `function` is a request handler.
pub fn is_route(function: Node<'_>, cx: &FileContext<'_>) -> bool {
    // `cx.parent`: tree-sitter's `Node::parent` searches down from the root.
    let Some(parent) = cx
        .parent(function)
        .filter(|parent| parent.kind_name() == "decorated_definition")
    else {
        return false;
    };
    named_children(parent)
        .into_iter()
        .filter(|child| child.kind_name() == "decorator")
        .filter_map(|decorator| decorator.named_child(0))
        .any(|expression| {
            expression.kind_name() == "call"
                && expression
                    .field("function")
                    .filter(|callee| callee.kind_name() == "attribute")
                    .and_then(|callee| callee.field("attribute"))
                    .is_some_and(|method| ROUTE_METHODS.contains(&cx.text(method)))
        })
}

/// A parameter of a function: its name and whether it carries request data when the
/// function is a request handler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parameter {
    /// The parameter's name.
    pub name: String,
    /// Whether a request handler receives client-controlled data through it.
    pub request_data: bool,
}

/// The parameters of `function`, in order (`*args`/`**kwargs` included, separators not).
pub fn parameters(function: Node<'_>, cx: &FileContext<'_>) -> Vec<Parameter> {
    let Some(list) = function.field("parameters") else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for parameter in named_children(list) {
        let (name, annotation, default) = match parameter.kind_name() {
            "identifier" => (Some(parameter), None, None),
            "typed_parameter" => (
                named_children(parameter).into_iter().find(|child| {
                    matches!(
                        child.kind_name(),
                        "identifier" | "list_splat_pattern" | "dictionary_splat_pattern"
                    )
                }),
                parameter.field("type"),
                None,
            ),
            "default_parameter" => (parameter.field("name"), None, parameter.field("value")),
            "typed_default_parameter" => (
                parameter.field("name"),
                parameter.field("type"),
                parameter.field("value"),
            ),
            "list_splat_pattern" | "dictionary_splat_pattern" => (Some(parameter), None, None),
            _ => continue,
        };
        let Some(name) = name else { continue };
        let name = cx.text(name).trim_start_matches('*').to_owned();
        let injected_type = annotation.is_some_and(|annotation| {
            let text = cx.text(annotation);
            let last = text
                .rsplit(['.', '[', ' ', '|'])
                .find(|part| !part.is_empty())
                .unwrap_or(text);
            INJECTED_TYPES.iter().any(|injected| {
                text.starts_with(injected) || last.trim_end_matches(']') == *injected
            })
        });
        let injected_default = default.is_some_and(|default| {
            default.kind_name() == "call"
                && default.field("function").is_some_and(|callee| {
                    INJECTED_DEFAULTS
                        .iter()
                        .any(|injected| cx.text(callee).ends_with(injected))
                })
        });
        let request_data = !(name == "self" || name == "cls" || injected_type || injected_default);
        found.push(Parameter { name, request_data });
    }
    found
}
