//! What the parser does with rules and tokens: the AST builder turns them into a
//! [`GherkinDocument`]; the token dump prints them (for checking the matchers).
//!
//! The parser opens a rule, hands over its tokens, opens and closes the rules inside it and
//! finally closes it. The builder keeps a stack of open nodes; closing one turns it into its
//! AST type and adds that to its parent. Ids are handed out as nodes close, which fixes the
//! order of ids the official parser has: a table's rows, then its step, then the scenario's
//! tags, then the scenario.

use crate::ast::{
    Background, Comment, DataTable, DocString, Examples, Feature, FeatureChild, GherkinDocument,
    Location, Rule, RuleChild, Scenario, Step, TableCell, TableRow, Tag,
};
use crate::errors::Problem;
use crate::grammar::RuleType;
use crate::ids::IdGenerator;
use crate::token::{Token, TokenType};

/// Receives the parser's rules and tokens.
pub(crate) trait Builder<'a> {
    /// A rule opens.
    fn start_rule(&mut self, rule: RuleType);
    /// The innermost open rule closes; a problem (a table whose rows differ in length) drops
    /// the rule's node and is reported.
    fn end_rule(&mut self) -> Result<(), Problem>;
    /// A token of the innermost open rule.
    fn build(&mut self, token: Token<'a>);
}

/// A node of a rule still open, or closed but raw: the rules that only group others
/// (headers, a scenario's or an examples block's body, tags) stay nodes for their parent.
struct Node<'a> {
    rule: Option<RuleType>,
    children: Vec<Child<'a>>,
}

/// What a node holds: tokens, raw nodes and the AST of closed rules.
enum Child<'a> {
    Token(Token<'a>),
    Node(Node<'a>),
    Step(Step),
    DocString(DocString),
    DataTable(DataTable),
    Background(Background),
    Scenario(Scenario),
    Examples(Examples),
    ExamplesTable(Vec<TableRow>),
    Description(String),
    Feature(Option<Feature>),
    Rule(Option<Rule>),
    Document(GherkinDocument),
}

impl<'a> Node<'a> {
    fn new(rule: Option<RuleType>) -> Self {
        Node {
            rule,
            children: Vec::new(),
        }
    }

    /// The first token of this type, taken out of the node.
    fn take_token(&mut self, kind: TokenType) -> Option<Token<'a>> {
        let at = self
            .children
            .iter()
            .position(|child| matches!(child, Child::Token(t) if t.matched_type == Some(kind)))?;
        match self.children.remove(at) {
            Child::Token(token) => Some(token),
            _ => unreachable!("the position of a token"),
        }
    }

    /// The first raw node of this rule, taken out of the node.
    fn take_node(&mut self, rule: RuleType) -> Option<Node<'a>> {
        let at = self
            .children
            .iter()
            .position(|child| matches!(child, Child::Node(n) if n.rule == Some(rule)))?;
        match self.children.remove(at) {
            Child::Node(node) => Some(node),
            _ => unreachable!("the position of a node"),
        }
    }

    /// The tokens of this type, in order.
    fn tokens(&self, kind: TokenType) -> impl Iterator<Item = &Token<'a>> {
        self.children.iter().filter_map(move |child| match child {
            Child::Token(token) if token.matched_type == Some(kind) => Some(token),
            _ => None,
        })
    }

    /// The parts of a body other than its tokens: the first description (or an empty
    /// one), the steps, the examples blocks and the first examples table.
    fn into_body(self) -> Body {
        let mut body = Body::default();
        let mut description = None;
        for child in self.children {
            match child {
                Child::Description(text) if description.is_none() => description = Some(text),
                Child::Step(step) => body.steps.push(step),
                Child::Examples(examples) => body.examples.push(examples),
                Child::ExamplesTable(rows) if body.table.is_none() => body.table = Some(rows),
                _ => {}
            }
        }
        body.description = description.unwrap_or_default();
        body
    }
}

/// What a header or body node holds besides its tokens.
#[derive(Default)]
struct Body {
    description: String,
    steps: Vec<Step>,
    examples: Vec<Examples>,
    table: Option<Vec<TableRow>>,
}

/// Builds the AST of a document.
pub(crate) struct AstBuilder<'a, 'i, I: IdGenerator + ?Sized> {
    ids: &'i mut I,
    stack: Vec<Node<'a>>,
    comments: Vec<Comment>,
}

impl<'a, 'i, I: IdGenerator + ?Sized> AstBuilder<'a, 'i, I> {
    pub fn new(ids: &'i mut I) -> Self {
        AstBuilder {
            ids,
            stack: vec![Node::new(None)],
            comments: Vec::new(),
        }
    }

    /// The document, once the parser has closed every rule.
    pub fn result(mut self) -> Option<GherkinDocument> {
        let root = self.stack.pop()?;
        root.children.into_iter().find_map(|child| match child {
            Child::Document(document) => Some(document),
            _ => None,
        })
    }

    fn current(&mut self) -> &mut Node<'a> {
        self.stack
            .last_mut()
            .expect("the root node is never closed")
    }

    fn transform(&mut self, mut node: Node<'a>) -> Result<Option<Child<'a>>, Problem> {
        let Some(rule) = node.rule else {
            return Ok(None);
        };
        Ok(Some(match rule {
            RuleType::Step => return Ok(self.step(node).map(Child::Step)),
            RuleType::DocString => return Ok(doc_string(node).map(Child::DocString)),
            RuleType::DataTable => {
                let rows = self.table_rows(&node)?;
                let Some(location) = rows.first().map(|row| row.location) else {
                    return Ok(None);
                };
                Child::DataTable(DataTable { location, rows })
            }
            RuleType::Background => {
                let Some(mut line) = node.take_token(TokenType::BackgroundLine) else {
                    return Ok(None);
                };
                let body = node.into_body();
                Child::Background(Background {
                    location: line.location(),
                    keyword: keyword(&line),
                    name: line.take_text(),
                    description: body.description,
                    steps: body.steps,
                    id: self.ids.new_id(),
                })
            }
            RuleType::ScenarioDefinition => return Ok(self.scenario(node).map(Child::Scenario)),
            RuleType::ExamplesDefinition => return Ok(self.examples(node).map(Child::Examples)),
            RuleType::ExamplesTable => Child::ExamplesTable(self.table_rows(&node)?),
            RuleType::Description => Child::Description(description(&node)),
            RuleType::Feature => Child::Feature(self.feature(node)),
            RuleType::Rule => Child::Rule(self.rule(node)),
            RuleType::GherkinDocument => {
                let feature = node.children.iter_mut().find_map(|child| match child {
                    Child::Feature(feature) => Some(feature.take()),
                    _ => None,
                });
                Child::Document(GherkinDocument {
                    uri: None,
                    feature: feature.flatten(),
                    comments: std::mem::take(&mut self.comments),
                })
            }
            RuleType::FeatureHeader
            | RuleType::RuleHeader
            | RuleType::Scenario
            | RuleType::Examples
            | RuleType::Tags => Child::Node(node),
        }))
    }

    fn tags(&mut self, node: &mut Node<'a>) -> Vec<Tag> {
        let Some(tags) = node.take_node(RuleType::Tags) else {
            return Vec::new();
        };
        let mut result = Vec::new();
        for token in tags.tokens(TokenType::TagLine) {
            for item in &token.matched_items {
                result.push(Tag {
                    location: Location::new(token.line_number, item.column),
                    name: item.text.to_string(),
                    id: self.ids.new_id(),
                });
            }
        }
        result
    }

    /// The rows of a table, each with an id; every row must have as many cells as the first.
    fn table_rows(&mut self, node: &Node<'a>) -> Result<Vec<TableRow>, Problem> {
        let rows: Vec<TableRow> = node
            .tokens(TokenType::TableRow)
            .map(|token| TableRow {
                id: self.ids.new_id(),
                location: token.location(),
                cells: token
                    .matched_items
                    .iter()
                    .map(|item| TableCell {
                        location: Location::new(token.line_number, item.column),
                        value: item.text.to_string(),
                    })
                    .collect(),
            })
            .collect();
        if let Some(first) = rows.first() {
            let count = first.cells.len();
            if let Some(row) = rows.iter().find(|row| row.cells.len() != count) {
                return Err(Problem::new(
                    "inconsistent cell count within the table",
                    row.location.line,
                    row.location.column,
                ));
            }
        }
        Ok(rows)
    }

    fn step(&mut self, mut node: Node<'a>) -> Option<Step> {
        let mut line = node.take_token(TokenType::StepLine)?;
        let mut data_table = None;
        let mut doc_string = None;
        for child in node.children {
            match child {
                Child::DataTable(table) if data_table.is_none() => data_table = Some(table),
                Child::DocString(doc) if doc_string.is_none() => doc_string = Some(doc),
                _ => {}
            }
        }
        Some(Step {
            location: line.location(),
            keyword: keyword(&line),
            keyword_type: line.matched_keyword_type,
            text: line.take_text(),
            doc_string,
            data_table,
            id: self.ids.new_id(),
        })
    }

    fn scenario(&mut self, mut node: Node<'a>) -> Option<Scenario> {
        let tags = self.tags(&mut node);
        let mut body = node.take_node(RuleType::Scenario)?;
        let mut line = body.take_token(TokenType::ScenarioLine)?;
        let body = body.into_body();
        Some(Scenario {
            location: line.location(),
            tags,
            keyword: keyword(&line),
            name: line.take_text(),
            description: body.description,
            steps: body.steps,
            examples: body.examples,
            id: self.ids.new_id(),
        })
    }

    fn examples(&mut self, mut node: Node<'a>) -> Option<Examples> {
        let tags = self.tags(&mut node);
        let mut body = node.take_node(RuleType::Examples)?;
        let mut line = body.take_token(TokenType::ExamplesLine)?;
        let body = body.into_body();
        let description = body.description;
        let (table_header, table_body) = match body.table {
            Some(mut rows) if !rows.is_empty() => {
                let header = rows.remove(0);
                (Some(header), rows)
            }
            _ => (None, Vec::new()),
        };
        Some(Examples {
            location: line.location(),
            tags,
            keyword: keyword(&line),
            name: line.take_text(),
            description,
            table_header,
            table_body,
            id: self.ids.new_id(),
        })
    }

    fn feature(&mut self, mut node: Node<'a>) -> Option<Feature> {
        let mut header = node.take_node(RuleType::FeatureHeader)?;
        // As the official builder: the tags get their ids before the feature line is looked
        // for.
        let tags = self.tags(&mut header);
        let mut line = header.take_token(TokenType::FeatureLine)?;
        let mut background = None;
        let mut scenarios = Vec::new();
        let mut rules = Vec::new();
        for child in node.children {
            match child {
                Child::Background(found) if background.is_none() => background = Some(found),
                Child::Scenario(scenario) => scenarios.push(FeatureChild::Scenario(scenario)),
                Child::Rule(Some(rule)) => rules.push(FeatureChild::Rule(rule)),
                _ => {}
            }
        }
        let mut children: Vec<FeatureChild> = background
            .map(FeatureChild::Background)
            .into_iter()
            .collect();
        children.extend(scenarios);
        children.extend(rules);
        Some(Feature {
            location: line.location(),
            tags,
            language: line.dialect.to_owned(),
            keyword: line.matched_keyword.map(str::to_owned),
            name: line.take_text(),
            description: header.into_body().description,
            children,
        })
    }

    fn rule(&mut self, mut node: Node<'a>) -> Option<Rule> {
        let mut header = node.take_node(RuleType::RuleHeader)?;
        let mut line = header.take_token(TokenType::RuleLine)?;
        let tags = self.tags(&mut header);
        let mut background = None;
        let mut scenarios = Vec::new();
        for child in node.children {
            match child {
                Child::Background(found) if background.is_none() => background = Some(found),
                Child::Scenario(scenario) => scenarios.push(RuleChild::Scenario(scenario)),
                _ => {}
            }
        }
        let mut children: Vec<RuleChild> =
            background.map(RuleChild::Background).into_iter().collect();
        children.extend(scenarios);
        Some(Rule {
            location: line.location(),
            tags,
            keyword: keyword(&line),
            name: line.take_text(),
            description: header.into_body().description,
            children,
            id: self.ids.new_id(),
        })
    }
}

impl<'a, I: IdGenerator + ?Sized> Builder<'a> for AstBuilder<'a, '_, I> {
    fn start_rule(&mut self, rule: RuleType) {
        self.stack.push(Node::new(Some(rule)));
    }

    fn end_rule(&mut self) -> Result<(), Problem> {
        // The root is never closed by the grammar; keep it even if asked.
        if self.stack.len() < 2 {
            return Ok(());
        }
        let node = self.stack.pop().expect("checked above");
        if let Some(child) = self.transform(node)? {
            self.current().children.push(child);
        }
        Ok(())
    }

    fn build(&mut self, token: Token<'a>) {
        match token.matched_type {
            Some(TokenType::Comment) => self.comments.push(Comment {
                location: token.location(),
                text: token.text().to_owned(),
            }),
            // Blank lines, the language header and the end of the file are never read back.
            None | Some(TokenType::Empty | TokenType::Language | TokenType::Eof) => {}
            Some(_) => self.current().children.push(Child::Token(token)),
        }
    }
}

fn keyword(token: &Token<'_>) -> String {
    token.matched_keyword.unwrap_or_default().to_owned()
}

fn doc_string(node: Node<'_>) -> Option<DocString> {
    let separator = node.tokens(TokenType::DocStringSeparator).next()?;
    let media_type = Some(separator.text()).filter(|text| !text.is_empty());
    let mut content = String::new();
    for (index, line) in node.tokens(TokenType::Other).enumerate() {
        if index > 0 {
            content.push('\n');
        }
        content.push_str(line.text());
    }
    Some(DocString {
        location: separator.location(),
        media_type: media_type.map(str::to_owned),
        content,
        delimiter: keyword(separator),
    })
}

/// The description's lines joined, without its trailing blank lines.
fn description(node: &Node<'_>) -> String {
    let lines: Vec<&Token<'_>> = node.tokens(TokenType::Other).collect();
    let end = lines
        .iter()
        .rposition(|token| token.line.is_some_and(|line| !line.trimmed.is_empty()))
        .map_or(0, |last| last + 1);
    let texts: Vec<&str> = lines[..end].iter().map(|token| token.text()).collect();
    texts.join("\n")
}

/// Prints every token the parser builds, one per line, as the official token dumps do.
#[derive(Default)]
pub(crate) struct TokenDump {
    lines: Vec<String>,
}

impl TokenDump {
    /// The dump: one line per token, the last one `EOF`, each ending with a line break.
    pub fn result(self) -> String {
        let mut text = self.lines.join("\n");
        text.push('\n');
        text
    }
}

impl<'a> Builder<'a> for TokenDump {
    fn start_rule(&mut self, _rule: RuleType) {}

    fn end_rule(&mut self) -> Result<(), Problem> {
        Ok(())
    }

    fn build(&mut self, token: Token<'a>) {
        self.lines.push(token.dump());
    }
}
