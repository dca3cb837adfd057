//! Intra-function data flow for one taint rule: which names hold request-controlled data at
//! each statement, and which sinks receive it.
//!
//! Flow-sensitive over statements (an assignment kills or creates taint; `if not
//! p.is_relative_to(base): raise` cleans `p` afterwards), path-insensitive across branches
//! (the union of both arms), loops run twice. Taint is a bit set: bit 0 is "from a source",
//! bit `i + 1` is "from parameter `i`", which is how one analysis gives both findings and a
//! function summary that calls to same-file helpers use.

use super::TaintRule;
use crate::matchers::pattern::PatternRule;
use crate::matchers::pattern::consts::{Const, compact};
use crate::matchers::pattern::matcher::{Bindings, FileContext, bound, call_arguments};
use crate::parse::node_ext::NodeExt;
use crate::parse::python::{named_children, unparenthesize};
use std::collections::HashMap;
use std::ops::Range;
use tree_sitter::Node;

/// Where tainted data came from, as bits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Taint(pub u64);

impl Taint {
    /// From a source.
    pub const SOURCE: Taint = Taint(1);
    /// Not tainted.
    pub const CLEAN: Taint = Taint(0);

    /// From parameter `index` (parameters past 62 share the last bit).
    pub fn param(index: usize) -> Taint {
        Taint(1 << (index.min(62) + 1))
    }

    /// Whether parameter `index` contributes.
    pub fn has_param(self, index: usize) -> bool {
        self.0 & Taint::param(index).0 != 0
    }

    /// Whether anything contributes.
    pub fn is_tainted(self) -> bool {
        self.0 != 0
    }

    /// Whether a source contributes.
    pub fn from_source(self) -> bool {
        self.0 & 1 != 0
    }
}

impl std::ops::BitOr for Taint {
    type Output = Taint;
    fn bitor(self, other: Taint) -> Taint {
        Taint(self.0 | other.0)
    }
}

impl std::ops::BitOrAssign for Taint {
    fn bitor_assign(&mut self, other: Taint) {
        self.0 |= other.0;
    }
}

/// What a function does with its parameters, for callers in the same file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Parameter names, in order.
    pub params: Vec<String>,
    /// Which parameters (and whether a source) flow to the return value.
    pub returns: Taint,
    /// Sinks reached, with which parameters (or a source) reach them.
    pub sinks: Vec<(Range<usize>, Taint)>,
}

/// Names → taint at one program point. A name mapped to [`Taint::CLEAN`] shadows its
/// prefix (`request.path` cleaned while `request` stays tainted).
pub type State = HashMap<String, Taint>;

/// Calls whose result carries no attacker-controlled text whatever their arguments.
const CLEAN_CALLS: &[&str] = &[
    "len",
    "int",
    "float",
    "bool",
    "abs",
    "round",
    "hash",
    "id",
    "isinstance",
    "issubclass",
    "type",
    "callable",
    "ord",
    "os.path.exists",
    "os.path.isfile",
    "os.path.isdir",
    "os.path.getsize",
    "uuid.UUID",
];

/// Methods whose result is a boolean or a number, never the receiver's text.
const CLEAN_METHODS: &[&str] = &[
    "exists",
    "is_file",
    "is_dir",
    "is_absolute",
    "is_relative_to",
    "is_symlink",
    "startswith",
    "endswith",
    "isdigit",
    "isalpha",
    "isalnum",
    "isidentifier",
    "isnumeric",
    "count",
    "find",
    "rfind",
    "index",
    "rindex",
    "__len__",
];

/// Statements after which control never reaches the next statement.
const EXIT_CALLS: &[&str] = &[
    "abort",
    "sys.exit",
    "exit",
    "os._exit",
    "flask.abort",
    "quit",
];

/// The analysis of one function (or the module's top level).
pub struct Analyzer<'a, 't> {
    cx: &'a FileContext<'t>,
    rule: &'a TaintRule,
    summaries: &'a HashMap<String, Summary>,
    /// Ids of nodes some sink pattern matches (taint aside): only they are sink-tested.
    sink_candidates: &'a std::collections::HashSet<usize>,
    /// What the function returns.
    pub returns: Taint,
    /// Sinks reached: (sink range, taint reaching it).
    pub hits: HashMap<Range<usize>, Taint>,
}

impl<'a, 't> Analyzer<'a, 't> {
    /// A fresh analysis.
    pub fn new(
        cx: &'a FileContext<'t>,
        rule: &'a TaintRule,
        summaries: &'a HashMap<String, Summary>,
        sink_candidates: &'a std::collections::HashSet<usize>,
    ) -> Analyzer<'a, 't> {
        Analyzer {
            cx,
            rule,
            summaries,
            sink_candidates,
            returns: Taint::CLEAN,
            hits: HashMap::new(),
        }
    }

    /// Runs the statements of `block` (a `block` or `module` node); returns whether control
    /// always leaves before its end.
    pub fn exec_block(&mut self, block: Node<'t>, state: &mut State) -> bool {
        for statement in named_children(block) {
            if self.exec_statement(statement, state) {
                return true;
            }
        }
        false
    }

    fn exec_statement(&mut self, statement: Node<'t>, state: &mut State) -> bool {
        match statement.kind_name() {
            "expression_statement" => {
                for expression in named_children(statement) {
                    self.exec_expression(expression, state);
                }
                named_children(statement)
                    .first()
                    .is_some_and(|expression| self.is_exit_call(*expression))
            }
            "return_statement" => {
                if let Some(value) = statement.named_child(0) {
                    self.check_sinks(value, state);
                    self.returns |= self.taint(value, state);
                }
                true
            }
            "raise_statement" => {
                self.check_sinks(statement, state);
                true
            }
            "continue_statement" | "break_statement" => true,
            "if_statement" => self.exec_if(statement, state),
            "for_statement" => {
                if let Some(iterable) = statement.field("right") {
                    self.check_sinks(iterable, state);
                    let taint = self.taint(iterable, state);
                    if let Some(target) = statement.field("left") {
                        self.assign(target, taint, state);
                    }
                }
                self.exec_loop(statement, state);
                false
            }
            "while_statement" => {
                if let Some(condition) = statement.field("condition") {
                    self.check_sinks(condition, state);
                }
                self.exec_loop(statement, state);
                false
            }
            "with_statement" => {
                for clause in named_children(statement)
                    .into_iter()
                    .filter(|child| child.kind_name() == "with_clause")
                {
                    for item in named_children(clause) {
                        let Some(value) = item.field("value") else {
                            continue;
                        };
                        let (manager, alias) = match value.kind_name() {
                            "as_pattern" => {
                                (value.named_child(0).unwrap_or(value), value.field("alias"))
                            }
                            _ => (value, None),
                        };
                        self.check_sinks(manager, state);
                        let taint = self.taint(manager, state);
                        if let Some(alias) = alias {
                            self.assign(alias, taint, state);
                        }
                    }
                }
                statement
                    .field("body")
                    .is_some_and(|body| self.exec_block(body, state))
            }
            "try_statement" => self.exec_try(statement, state),
            "assert_statement" => {
                self.check_sinks(statement, state);
                if let Some(condition) = statement.named_child(0) {
                    let (when_true, _) = self.guard_subjects(condition);
                    clean(state, &when_true);
                }
                false
            }
            // Nested definitions are analysed on their own.
            "function_definition" | "class_definition" | "decorated_definition" => false,
            _ => {
                self.check_sinks(statement, state);
                false
            }
        }
    }

    fn exec_expression(&mut self, expression: Node<'t>, state: &mut State) {
        match expression.kind_name() {
            "assignment" => self.exec_assignment(expression, state),
            "augmented_assignment" => {
                if let (Some(left), Some(right)) =
                    (expression.field("left"), expression.field("right"))
                {
                    self.check_sinks(right, state);
                    let taint = self.taint(right, state) | self.taint(left, state);
                    self.assign(left, taint, state);
                }
            }
            _ => self.check_sinks(expression, state),
        }
    }

    fn exec_assignment(&mut self, assignment: Node<'t>, state: &mut State) {
        let Some(right) = assignment.field("right") else {
            return;
        };
        let taint = if right.kind_name() == "assignment" {
            self.exec_assignment(right, state);
            right
                .field("left")
                .map_or(Taint::CLEAN, |left| self.taint(left, state))
        } else {
            // The whole assignment: a sink may be the assignment itself (`system_prompt = ...`).
            self.check_sinks(assignment, state);
            self.taint(right, state)
        };
        if let Some(left) = assignment.field("left") {
            self.assign(left, taint, state);
        }
    }

    /// Binds an assignment target to `taint` (strong update for names, weak for items).
    fn assign(&self, target: Node<'t>, taint: Taint, state: &mut State) {
        let target = unparenthesize(target);
        match target.kind_name() {
            "identifier" | "attribute" => {
                state.insert(compact(self.cx.text(target)), taint);
            }
            "subscript" => {
                if let Some(container) = target.field("value") {
                    let key = compact(self.cx.text(container));
                    *state.entry(key).or_default() |= taint;
                }
            }
            "pattern_list" | "tuple_pattern" | "list_pattern" | "tuple" | "list"
            | "list_splat_pattern" | "as_pattern_target" => {
                for element in named_children(target) {
                    self.assign(element, taint, state);
                }
            }
            _ => {}
        }
    }

    fn exec_loop(&mut self, statement: Node<'t>, state: &mut State) {
        let Some(body) = statement.field("body") else {
            return;
        };
        // Twice, so taint created late in the body reaches uses early in the next round.
        for _ in 0..2 {
            let mut round = state.clone();
            self.exec_block(body, &mut round);
            merge_into(state, &round);
        }
        if let Some(alternative) = statement.field("alternative")
            && let Some(body) = alternative.field("body")
        {
            self.exec_block(body, state);
        }
    }

    fn exec_if(&mut self, statement: Node<'t>, state: &mut State) -> bool {
        let mut branches: Vec<(Option<Node<'t>>, Node<'t>)> = Vec::new();
        if let (Some(condition), Some(body)) =
            (statement.field("condition"), statement.field("consequence"))
        {
            branches.push((Some(condition), body));
        }
        let mut cursor = statement.walk();
        for alternative in statement.children_by_field_name("alternative", &mut cursor) {
            match alternative.kind_name() {
                "elif_clause" => {
                    if let (Some(condition), Some(body)) = (
                        alternative.field("condition"),
                        alternative.field("consequence"),
                    ) {
                        branches.push((Some(condition), body));
                    }
                }
                "else_clause" => {
                    if let Some(body) = alternative.field("body") {
                        branches.push((None, body));
                    }
                }
                _ => {}
            }
        }
        self.exec_branches(&branches, state)
    }

    /// `if c1: b1 elif c2: b2 else: b3` as nested two-way choices.
    fn exec_branches(
        &mut self,
        branches: &[(Option<Node<'t>>, Node<'t>)],
        state: &mut State,
    ) -> bool {
        let Some(((condition, body), rest)) = branches.split_first() else {
            return false;
        };
        let Some(condition) = condition else {
            return self.exec_block(*body, state);
        };
        self.check_sinks(*condition, state);
        let (when_true, when_false) = self.guard_subjects(*condition);
        let mut then_state = state.clone();
        clean(&mut then_state, &when_true);
        let then_exits = self.exec_block(*body, &mut then_state);
        let mut else_state = state.clone();
        clean(&mut else_state, &when_false);
        let else_exits = self.exec_branches(rest, &mut else_state);
        match (then_exits, else_exits) {
            (true, true) => {
                *state = else_state;
                true
            }
            (true, false) => {
                *state = else_state;
                false
            }
            (false, true) => {
                *state = then_state;
                false
            }
            (false, false) => {
                merge_into(&mut then_state, &else_state);
                *state = then_state;
                false
            }
        }
    }

    fn exec_try(&mut self, statement: Node<'t>, state: &mut State) -> bool {
        let before = state.clone();
        let body_exits = statement
            .field("body")
            .is_some_and(|body| self.exec_block(body, state));
        // A handler can start anywhere in the body: from the union of before and after.
        let mut handler_start = before;
        merge_into(&mut handler_start, state);
        let mut all_exit = body_exits;
        let mut after = state.clone();
        for clause in named_children(statement) {
            match clause.kind_name() {
                "except_clause" | "except_group_clause" => {
                    let mut handler = handler_start.clone();
                    let exits = named_children(clause)
                        .into_iter()
                        .find(|child| child.kind_name() == "block")
                        .is_some_and(|block| self.exec_block(block, &mut handler));
                    if !exits {
                        merge_into(&mut after, &handler);
                    }
                    all_exit &= exits;
                }
                "else_clause" => {
                    if let Some(body) = clause.field("body") {
                        let exits = self.exec_block(body, &mut after);
                        all_exit = exits;
                    }
                }
                "finally_clause" => {
                    if let Some(body) = named_children(clause)
                        .into_iter()
                        .find(|child| child.kind_name() == "block")
                    {
                        self.exec_block(body, &mut after);
                    }
                }
                _ => {}
            }
        }
        *state = after;
        all_exit
    }

    /// Names a condition proves safe: (when the condition is true, when it is false).
    fn guard_subjects(&self, condition: Node<'t>) -> (Vec<String>, Vec<String>) {
        let condition = unparenthesize(condition);
        match condition.kind_name() {
            "not_operator" => match condition.field("argument") {
                Some(argument) => {
                    let (when_true, when_false) = self.guard_subjects(argument);
                    (when_false, when_true)
                }
                None => (Vec::new(), Vec::new()),
            },
            "boolean_operator" => {
                let operator = condition
                    .field("operator")
                    .map(|op| self.cx.text(op))
                    .unwrap_or_default();
                let (left, right) = match (condition.field("left"), condition.field("right")) {
                    (Some(left), Some(right)) => {
                        (self.guard_subjects(left), self.guard_subjects(right))
                    }
                    _ => return (Vec::new(), Vec::new()),
                };
                match operator {
                    // `a and b` true: both hold. `a or b` false: both failed.
                    "and" => ([left.0, right.0].concat(), Vec::new()),
                    "or" => (Vec::new(), [left.1, right.1].concat()),
                    _ => (Vec::new(), Vec::new()),
                }
            }
            _ => {
                let mut when_true = self.subjects(&self.rule.guards, condition);
                let mut when_false = self.subjects(&self.rule.rejects, condition);
                when_true.sort();
                when_false.sort();
                (when_true, when_false)
            }
        }
    }

    /// The focus texts of the entries matching `node`.
    fn subjects(&self, entries: &[PatternRule], node: Node<'t>) -> Vec<String> {
        let mut subjects = Vec::new();
        for entry in entries {
            let mut env: Bindings<'t> = Vec::new();
            if entry.object.matches(node, self.cx, &mut env) {
                let subject = entry
                    .focus
                    .as_ref()
                    .and_then(|focus| bound(&env, focus))
                    .unwrap_or(node);
                subjects.push(compact(self.cx.text(subject)));
            }
        }
        subjects
    }

    fn is_exit_call(&self, expression: Node<'t>) -> bool {
        let expression = unparenthesize(expression);
        expression.kind_name() == "call"
            && expression.field("function").is_some_and(|callee| {
                let name = self
                    .cx
                    .qualified_name(callee)
                    .unwrap_or_else(|| compact(self.cx.text(callee)));
                EXIT_CALLS.contains(&name.as_str())
            })
    }

    /// Records every sink reached by tainted data inside `root` (not inside nested
    /// functions), including sinks of same-file helpers called with tainted arguments.
    fn check_sinks(&mut self, root: Node<'t>, state: &State) {
        let mut stack = vec![root];
        while let Some(node) = stack.pop() {
            if matches!(
                node.kind_name(),
                "lambda" | "function_definition" | "class_definition"
            ) {
                continue;
            }
            let candidate = self.sink_candidates.contains(&node.id());
            for sink in self.rule.sinks.iter().filter(|_| candidate) {
                if !sink.can_match(node.kind_name()) {
                    continue;
                }
                let mut env: Bindings<'t> = Vec::new();
                if sink.object.matches(node, self.cx, &mut env) {
                    let focus = sink
                        .focus
                        .as_ref()
                        .and_then(|focus| bound(&env, focus))
                        .unwrap_or(node);
                    let taint = if self.rule.url_sinks {
                        self.url_taint(focus, state)
                    } else {
                        self.taint(focus, state)
                    };
                    if taint.is_tainted() {
                        *self.hits.entry(node.byte_range()).or_default() |= taint;
                    }
                }
            }
            if node.kind_name() == "call"
                && let Some(summary) = self.summary_of(node)
            {
                let arguments = self.argument_taints(node, summary, state);
                for (range, bits) in &summary.sinks {
                    let reaching = map_through(*bits, &arguments);
                    if reaching.is_tainted() {
                        *self.hits.entry(range.clone()).or_default() |= reaching;
                    }
                }
            }
            stack.extend(named_children(node));
        }
    }

    /// The taint of an expression in `state`.
    pub fn taint(&self, expression: Node<'t>, state: &State) -> Taint {
        let node = unparenthesize(expression);
        if self.matches_any(&self.rule.sanitizers, node) {
            return Taint::CLEAN;
        }
        if self.matches_any(&self.rule.sources, node) {
            return Taint::SOURCE;
        }
        match node.kind_name() {
            "identifier" => state.get(self.cx.text(node)).copied().unwrap_or_default(),
            "attribute" => match state.get(&compact(self.cx.text(node))) {
                Some(taint) => *taint,
                None => node
                    .field("object")
                    .map_or(Taint::CLEAN, |object| self.taint(object, state)),
            },
            // An item of tainted data is tainted; an index into clean data is not.
            "subscript" => node
                .field("value")
                .map_or(Taint::CLEAN, |value| self.taint(value, state)),
            "call" => self.call_taint(node, state),
            "comparison_operator"
            | "not_operator"
            | "lambda"
            | "integer"
            | "float"
            | "true"
            | "false"
            | "none" => Taint::CLEAN,
            "conditional_expression" => {
                let mut taint = Taint::CLEAN;
                // `a if cond else b`: the condition is not part of the value.
                for (index, child) in named_children(node).into_iter().enumerate() {
                    if index != 1 {
                        taint |= self.taint(child, state);
                    }
                }
                taint
            }
            _ => named_children(node)
                .into_iter()
                .fold(Taint::CLEAN, |taint, child| {
                    taint | self.taint(child, state)
                }),
        }
    }

    /// The taint of a URL that can choose where a request goes: data that only lands after
    /// a fixed `scheme://host/` (or after a clean base such as `{settings.api}/`) cannot.
    fn url_taint(&self, expression: Node<'t>, state: &State) -> Taint {
        let node = unparenthesize(expression);
        match node.kind_name() {
            "string" => {
                let mut cursor = node.walk();
                let parts: Vec<Node<'t>> = node
                    .children(&mut cursor)
                    .filter(|part| matches!(part.kind_name(), "string_content" | "interpolation"))
                    .collect();
                let Some(first) = parts.first() else {
                    return Taint::CLEAN;
                };
                if first.kind_name() == "string_content" {
                    let fixed = fixes_host(self.cx.text(*first));
                    return if fixed || parts.len() == 1 {
                        Taint::CLEAN
                    } else {
                        self.taint(node, state)
                    };
                }
                // Starts with an interpolation: a clean base fixes the host if a `/` follows.
                let base = first.field("expression").or_else(|| first.named_child(0));
                let base_clean = base.is_none_or(|base| !self.taint(base, state).is_tainted());
                let slash_follows = parts.get(1).is_some_and(|next| {
                    next.kind_name() == "string_content" && self.cx.text(*next).starts_with('/')
                });
                if base_clean && slash_follows {
                    Taint::CLEAN
                } else {
                    self.taint(node, state)
                }
            }
            "binary_operator" => match node.field("left") {
                Some(left) if self.left_fixes_host(left, state) => Taint::CLEAN,
                _ => self.taint(node, state),
            },
            _ => self.taint(node, state),
        }
    }

    /// Whether the left operand of a URL concatenation fixes scheme and host: a constant
    /// `scheme://host/...`, or a clean value (a configured base URL).
    fn left_fixes_host(&self, left: Node<'t>, state: &State) -> bool {
        match self.cx.eval(left) {
            Some(Const::Str(text)) => fixes_host(&text),
            _ => !self.url_taint(left, state).is_tainted(),
        }
    }

    fn call_taint(&self, call: Node<'t>, state: &State) -> Taint {
        let Some(callee) = call.field("function") else {
            return Taint::CLEAN;
        };
        if let Some(summary) = self.summary_of(call) {
            let arguments = self.argument_taints(call, summary, state);
            return map_through(summary.returns, &arguments);
        }
        let name = self.cx.qualified_name(callee);
        if name
            .as_deref()
            .is_some_and(|name| CLEAN_CALLS.contains(&name))
        {
            return Taint::CLEAN;
        }
        let (positional, keywords) = call_arguments(self.cx, call);
        let mut taint = positional.iter().fold(Taint::CLEAN, |taint, argument| {
            taint | self.taint(*argument, state)
        });
        taint = keywords
            .iter()
            .fold(taint, |taint, (_, value)| taint | self.taint(*value, state));
        if callee.kind_name() == "attribute" {
            let method = callee
                .field("attribute")
                .map(|method| self.cx.text(method))
                .unwrap_or_default();
            if CLEAN_METHODS.contains(&method) {
                return Taint::CLEAN;
            }
            if let Some(receiver) = callee.field("object") {
                taint |= self.taint(receiver, state);
            }
        }
        taint
    }

    /// The summary of the same-file function a call invokes, if it can be told by name.
    fn summary_of(&self, call: Node<'t>) -> Option<&'a Summary> {
        let callee = call.field("function")?;
        let name = match callee.kind_name() {
            "identifier" => self.cx.text(callee),
            "attribute" => {
                let object = callee.field("object")?;
                if !matches!(self.cx.text(object), "self" | "cls") {
                    return None;
                }
                self.cx.text(callee.field("attribute")?)
            }
            _ => return None,
        };
        self.summaries.get(name)
    }

    /// The taint of each parameter of `summary` at this call (method receivers skipped).
    fn argument_taints(&self, call: Node<'t>, summary: &Summary, state: &State) -> Vec<Taint> {
        let mut taints = vec![Taint::CLEAN; summary.params.len()];
        let offset = usize::from(
            summary
                .params
                .first()
                .is_some_and(|first| first == "self" || first == "cls"),
        );
        let (positional, keywords) = call_arguments(self.cx, call);
        for (index, argument) in positional.iter().enumerate() {
            let taint = self.taint(*argument, state);
            if argument.kind_name() == "list_splat" {
                // `f(*args)`: every remaining parameter may get it.
                for slot in taints.iter_mut().skip(index + offset) {
                    *slot |= taint;
                }
            } else if let Some(slot) = taints.get_mut(index + offset) {
                *slot |= taint;
            }
        }
        for (name, value) in keywords {
            if let Some(index) = summary.params.iter().position(|param| param == name) {
                taints[index] |= self.taint(value, state);
            }
        }
        taints
    }

    fn matches_any(&self, entries: &[PatternRule], node: Node<'t>) -> bool {
        entries.iter().any(|entry| {
            entry.can_match(node.kind_name())
                && entry.object.matches(node, self.cx, &mut Vec::new())
        })
    }
}

/// Whether a URL prefix names its scheme and host completely (`https://host/...`).
fn fixes_host(prefix: &str) -> bool {
    prefix
        .split_once("://")
        .is_some_and(|(_, rest)| rest.find('/').is_some_and(|slash| slash > 0))
}

/// Replaces parameter bits of `bits` with what the arguments carry.
fn map_through(bits: Taint, arguments: &[Taint]) -> Taint {
    let mut result = Taint(bits.0 & Taint::SOURCE.0);
    for (index, argument) in arguments.iter().enumerate() {
        if bits.has_param(index) {
            result |= *argument;
        }
    }
    result
}

/// Union of two states (a name tainted on either path is tainted).
fn merge_into(state: &mut State, other: &State) {
    for (name, taint) in other {
        *state.entry(name.clone()).or_default() |= *taint;
    }
}

/// Marks names clean (shadowing a tainted prefix).
fn clean(state: &mut State, names: &[String]) {
    for name in names {
        state.insert(name.clone(), Taint::CLEAN);
    }
}
