//! The parser: runs the grammar's state machine over the tokens of a source, recovering from
//! errors the way the official parser does so that it reports all of them.
//!
//! For each token the current state's transitions are tried in order; the matcher says
//! whether the line is of the transition's token type. When no transition matches, the error
//! lists what the state expected and the parser stays in that state for the next line. Errors
//! with the same message are reported once, and the parser gives up after the eleventh.

use std::collections::VecDeque;

use crate::builder::Builder;
use crate::errors::Problem;
use crate::grammar::{self, Lookahead, RuleType};
use crate::matcher::TokenMatcher;
use crate::token::{Scanner, Token, TokenType};

/// The official parser stops once it has more than this many errors.
const MAX_ERRORS: usize = 10;

/// One parse of one source.
pub(crate) struct Parser<'a, M, B> {
    scanner: Scanner<'a>,
    /// Tokens read by a lookahead, to be read again.
    queue: VecDeque<Token<'a>>,
    matcher: M,
    builder: B,
    problems: Vec<Problem>,
    /// Set once there are too many errors: from then on nothing happens.
    stopped: bool,
}

impl<'a, M: TokenMatcher<'a>, B: Builder<'a>> Parser<'a, M, B> {
    pub fn new(source: &'a str, matcher: M, builder: B) -> Self {
        Parser {
            scanner: Scanner::new(source),
            queue: VecDeque::new(),
            matcher,
            builder,
            problems: Vec::new(),
            stopped: false,
        }
    }

    /// Parses the whole source: the builder, and the problems found (none for a good file).
    pub fn parse(mut self) -> (B, Vec<Problem>) {
        self.start_rule(RuleType::GherkinDocument);
        let mut state = 0;
        loop {
            let token = self.read_token();
            let eof = token.is_eof();
            state = self.match_token(state, token);
            if eof || self.stopped {
                break;
            }
        }
        self.end_rule();
        (self.builder, self.problems)
    }

    fn read_token(&mut self) -> Token<'a> {
        self.queue
            .pop_front()
            .unwrap_or_else(|| self.scanner.read())
    }

    /// Takes the first transition of `state` that `token` matches; returns the next state.
    fn match_token(&mut self, state: u8, mut token: Token<'a>) -> u8 {
        for transition in grammar::transitions(state) {
            if !self.matches(transition.token, &mut token) {
                continue;
            }
            if let Some(lookahead) = transition.lookahead
                && !self.look_ahead(lookahead)
            {
                continue;
            }
            for _ in 0..transition.end {
                self.end_rule();
            }
            for rule in transition.start {
                self.start_rule(*rule);
            }
            self.build(token);
            return transition.next;
        }
        let expected = grammar::expected_tokens(state);
        let problem = match &token.line {
            None => Problem::unexpected_eof(&expected, token.line_number),
            Some(line) => Problem::unexpected_token(
                &expected,
                token.line_number,
                line.indent + 1,
                token.value_for_error(),
            ),
        };
        self.add_problem(problem);
        state
    }

    /// Asks the matcher whether `token` is of type `kind`; only the end-of-file question is
    /// asked of the end of the file.
    fn matches(&mut self, kind: TokenType, token: &mut Token<'a>) -> bool {
        if self.stopped || (token.is_eof() && kind != TokenType::Eof) {
            return false;
        }
        match self.matcher.match_token(kind, token) {
            Ok(matched) => matched,
            Err(problem) => {
                self.add_problem(problem);
                false
            }
        }
    }

    /// Reads ahead past blank lines, comments and tag lines: whether the next other line is
    /// the one the lookahead wants. The tokens read are put back, to be read again.
    fn look_ahead(&mut self, lookahead: Lookahead) -> bool {
        let mut read = Vec::new();
        let mut found = false;
        loop {
            let mut token = self.read_token();
            if self.matches(lookahead.target(), &mut token) {
                found = true;
                read.push(token);
                break;
            }
            let skippable = self.matches(TokenType::Empty, &mut token)
                || self.matches(TokenType::Comment, &mut token)
                || self.matches(TokenType::TagLine, &mut token);
            read.push(token);
            if !skippable {
                break;
            }
        }
        self.queue.extend(read);
        found
    }

    fn start_rule(&mut self, rule: RuleType) {
        if !self.stopped {
            self.builder.start_rule(rule);
        }
    }

    fn end_rule(&mut self) {
        if self.stopped {
            return;
        }
        if let Err(problem) = self.builder.end_rule() {
            self.add_problem(problem);
        }
    }

    fn build(&mut self, token: Token<'a>) {
        if !self.stopped {
            self.builder.build(token);
        }
    }

    fn add_problem(&mut self, problem: Problem) {
        if self.stopped
            || self
                .problems
                .iter()
                .any(|known| known.message() == problem.message())
        {
            return;
        }
        self.problems.push(problem);
        if self.problems.len() > MAX_ERRORS {
            self.stopped = true;
        }
    }
}
