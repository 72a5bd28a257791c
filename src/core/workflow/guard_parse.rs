//! The guard language as written: a lexer and a recursive-descent parser from a guard's text to an
//! untyped `Expr` whose names and literals remember where they were written. Typing against the
//! workflow's attributes is `guard_check.rs`.

use super::checker::{Checker, Named, Origin};

/// Longest guard accepted, in bytes, and deepest nesting of parentheses and `not`.
pub const GUARD_BYTES_MAX: usize = 4096;
pub const GUARD_DEPTH_MAX: usize = 32;

#[derive(Clone, Debug)]
pub(crate) enum Expr {
    Const(bool),
    Attribute(Named),
    Compare { attribute: Named, op: CompareOp, literal: Literal },
    In { attribute: Named, literals: Vec<Literal> },
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CompareOp {
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

impl CompareOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CompareOp::Equal => "==",
            CompareOp::NotEqual => "!=",
            CompareOp::Less => "<",
            CompareOp::LessOrEqual => "<=",
            CompareOp::Greater => ">",
            CompareOp::GreaterOrEqual => ">=",
        }
    }

    pub(crate) fn is_ordering(self) -> bool {
        !matches!(self, CompareOp::Equal | CompareOp::NotEqual)
    }
}

/// A literal as written: its text (unquoted for text literals) and what it looked like.
#[derive(Clone, Debug)]
pub(crate) struct Literal {
    pub(crate) kind: LiteralKind,
    pub(crate) text: String,
    pub(crate) at: Origin,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LiteralKind {
    /// Digits, maybe with a sign and a decimal point.
    Number,
    /// `'…'` or `"…"`.
    Text,
    /// `YYYY-MM-DD`.
    Date,
    /// An id: an enum value, or `true`/`false`.
    Name,
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Name(String),
    Number(String),
    Date(String),
    Text(String),
    Op(CompareOp),
    Open,
    Close,
    OpenList,
    CloseList,
    Comma,
}

impl Token {
    fn describe(&self) -> String {
        match self {
            Token::Name(name) => format!("`{name}`"),
            Token::Number(text) | Token::Date(text) => format!("`{text}`"),
            Token::Text(text) => format!("'{text}'"),
            Token::Op(op) => format!("`{}`", op.symbol()),
            Token::Open => "`(`".to_owned(),
            Token::Close => "`)`".to_owned(),
            Token::OpenList => "`[`".to_owned(),
            Token::CloseList => "`]`".to_owned(),
            Token::Comma => "`,`".to_owned(),
        }
    }
}

/// Parses a guard written at `at`; syntax errors go to `checker` and give `None`.
pub(crate) fn parse_guard(checker: &mut Checker, at: &Origin, text: &str) -> Option<Expr> {
    if text.len() > GUARD_BYTES_MAX {
        checker.error(at, format!("guard is {} bytes, beyond the limit of {GUARD_BYTES_MAX}", text.len()), "too long");
        return None;
    }
    let tokens = match lex(text) {
        Ok(tokens) => tokens,
        Err((start, len, message)) => {
            let place = checker.narrow(at, text, start, len);
            checker.error(&place, message, "here");
            return None;
        }
    };
    let mut parser = Parser { checker, at, text, tokens, position: 0, depth: 0 };
    let expr = parser.or()?;
    if let Some((token, start, len)) = parser.tokens.get(parser.position).cloned() {
        parser.fail(start, len, format!("expected `and`, `or` or the end of the guard, found {}", token.describe()));
        return None;
    }
    Some(expr)
}

type Lexed = Vec<(Token, usize, usize)>;

fn lex(text: &str) -> Result<Lexed, (usize, usize, String)> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let token = match c {
            '(' | ')' | '[' | ']' | ',' => {
                chars.next();
                match c {
                    '(' => Token::Open,
                    ')' => Token::Close,
                    '[' => Token::OpenList,
                    ']' => Token::CloseList,
                    _ => Token::Comma,
                }
            }
            '=' | '!' | '<' | '>' => {
                chars.next();
                let equals_follows = chars.peek().is_some_and(|&(_, next)| next == '=');
                if equals_follows {
                    chars.next();
                }
                let op = match (c, equals_follows) {
                    ('=', true) => CompareOp::Equal,
                    ('!', true) => CompareOp::NotEqual,
                    ('<', false) => CompareOp::Less,
                    ('<', true) => CompareOp::LessOrEqual,
                    ('>', false) => CompareOp::Greater,
                    ('>', true) => CompareOp::GreaterOrEqual,
                    ('=', false) => return Err((start, 1, "`=` is not an operator; write `==`".to_owned())),
                    _ => return Err((start, 1, "`!` is not an operator; write `not` or `!=`".to_owned())),
                };
                Token::Op(op)
            }
            '\'' | '"' => {
                chars.next();
                let mut value = String::new();
                let mut closed = false;
                for (_, next) in chars.by_ref() {
                    if next == c {
                        closed = true;
                        break;
                    }
                    value.push(next);
                }
                if !closed {
                    return Err((start, text.len() - start, "text literal is not closed".to_owned()));
                }
                Token::Text(value)
            }
            c if c.is_ascii_digit() || c == '-' => {
                let mut end = start;
                while let Some(&(index, next)) = chars.peek() {
                    if next.is_ascii_digit() || next == '.' || next == '-' {
                        end = index + next.len_utf8();
                        chars.next();
                    } else {
                        break;
                    }
                }
                let word = &text[start..end];
                let is_date = word.len() == 10 && word.as_bytes()[4] == b'-' && word.as_bytes()[7] == b'-';
                if is_date { Token::Date(word.to_owned()) } else { Token::Number(word.to_owned()) }
            }
            c if c.is_alphabetic() || c == '_' => {
                let mut end = start;
                while let Some(&(index, next)) = chars.peek() {
                    if next.is_alphanumeric() || next == '_' {
                        end = index + next.len_utf8();
                        chars.next();
                    } else {
                        break;
                    }
                }
                Token::Name(text[start..end].to_owned())
            }
            other => return Err((start, other.len_utf8(), format!("unexpected `{other}` in guard"))),
        };
        let end = chars.peek().map_or(text.len(), |&(index, _)| index);
        tokens.push((token, start, end - start));
    }
    Ok(tokens)
}

struct Parser<'c, 'a> {
    checker: &'c mut Checker,
    at: &'a Origin,
    text: &'a str,
    tokens: Lexed,
    position: usize,
    depth: usize,
}

impl Parser<'_, '_> {
    fn fail(&mut self, start: usize, len: usize, message: String) {
        let place = self.checker.narrow(self.at, self.text, start, len);
        self.checker.error(&place, message, "here");
    }

    fn fail_here(&mut self, expected: &str) {
        match self.tokens.get(self.position).cloned() {
            Some((token, start, len)) => {
                self.fail(start, len, format!("expected {expected}, found {}", token.describe()));
            }
            None => {
                let end = self.text.len();
                self.fail(end, 0, format!("expected {expected}, found the end of the guard"));
            }
        }
    }

    fn peek_keyword(&self, keyword: &str) -> bool {
        matches!(self.tokens.get(self.position), Some((Token::Name(name), _, _)) if name == keyword)
    }

    fn or(&mut self) -> Option<Expr> {
        let mut left = self.and()?;
        while self.peek_keyword("or") {
            self.position += 1;
            let right = self.and()?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Some(left)
    }

    fn and(&mut self) -> Option<Expr> {
        let mut left = self.not()?;
        while self.peek_keyword("and") {
            self.position += 1;
            let right = self.not()?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Some(left)
    }

    fn not(&mut self) -> Option<Expr> {
        if self.peek_keyword("not") {
            self.position += 1;
            self.enter()?;
            let inner = self.not();
            self.depth -= 1;
            return Some(Expr::Not(Box::new(inner?)));
        }
        self.atom()
    }

    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        if self.depth > GUARD_DEPTH_MAX {
            self.fail_here(&format!("a guard nested at most {GUARD_DEPTH_MAX} deep"));
            self.depth -= 1;
            return None;
        }
        Some(())
    }

    fn atom(&mut self) -> Option<Expr> {
        let Some((token, start, len)) = self.tokens.get(self.position).cloned() else {
            self.fail_here("an attribute");
            return None;
        };
        match token {
            Token::Open => {
                self.position += 1;
                self.enter()?;
                let inner = self.or();
                self.depth -= 1;
                let inner = inner?;
                if self.tokens.get(self.position).map(|(token, _, _)| token) != Some(&Token::Close) {
                    self.fail_here("`)`");
                    return None;
                }
                self.position += 1;
                Some(inner)
            }
            Token::Name(name) if name == "true" || name == "false" => {
                self.position += 1;
                Some(Expr::Const(name == "true"))
            }
            Token::Name(name) if !is_keyword(&name) => {
                self.position += 1;
                let attribute = Named { name, at: self.checker.narrow(self.at, self.text, start, len) };
                self.after_attribute(attribute)
            }
            _ => {
                self.fail_here("an attribute");
                None
            }
        }
    }

    fn after_attribute(&mut self, attribute: Named) -> Option<Expr> {
        match self.tokens.get(self.position).map(|(token, _, _)| token.clone()) {
            Some(Token::Op(op)) => {
                self.position += 1;
                let literal = self.literal()?;
                Some(Expr::Compare { attribute, op, literal })
            }
            Some(Token::Name(name)) if name == "in" => {
                self.position += 1;
                Some(Expr::In { attribute, literals: self.list()? })
            }
            _ => Some(Expr::Attribute(attribute)),
        }
    }

    fn list(&mut self) -> Option<Vec<Literal>> {
        if self.tokens.get(self.position).map(|(token, _, _)| token) != Some(&Token::OpenList) {
            self.fail_here("`[`");
            return None;
        }
        self.position += 1;
        let mut literals = vec![self.literal()?];
        loop {
            match self.tokens.get(self.position).map(|(token, _, _)| token) {
                Some(Token::Comma) => {
                    self.position += 1;
                    literals.push(self.literal()?);
                }
                Some(Token::CloseList) => {
                    self.position += 1;
                    return Some(literals);
                }
                _ => {
                    self.fail_here("`,` or `]`");
                    return None;
                }
            }
        }
    }

    fn literal(&mut self) -> Option<Literal> {
        let Some((token, start, len)) = self.tokens.get(self.position).cloned() else {
            self.fail_here("a value");
            return None;
        };
        let (kind, text) = match token {
            Token::Number(text) => (LiteralKind::Number, text),
            Token::Date(text) => (LiteralKind::Date, text),
            Token::Text(text) => (LiteralKind::Text, text),
            Token::Name(name) if !is_keyword(&name) || name == "true" || name == "false" => (LiteralKind::Name, name),
            _ => {
                self.fail_here("a value");
                return None;
            }
        };
        self.position += 1;
        let at = self.checker.narrow(self.at, self.text, start, len);
        Some(Literal { kind, text, at })
    }
}

fn is_keyword(name: &str) -> bool {
    matches!(name, "and" | "or" | "not" | "in" | "true" | "false")
}
