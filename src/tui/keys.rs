//! Every screen's keys, declared once: [`table`] drives the dispatch in
//! [`super::update`], the status bar, the `?` help and the README's key
//! table ([`markdown`]), so none of them can promise a key the others do
//! not know.
//!
//! The quiz is the one screen outside the tables: a short answer is typed,
//! so every printable key is text there, and its footer is worded per
//! question in the view.

use super::app::{App, Screen, StepKind};
use crossterm::event::{KeyCode, KeyEvent};

/// What a key does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Down a line, a row or a step.
    Down,
    /// Up a line, a row or a step.
    Up,
    /// A page down.
    PageDown,
    /// A page up.
    PageUp,
    /// To the top.
    Top,
    /// To the bottom.
    Bottom,
    /// Open the selected step, or a failing check's picture.
    Open,
    /// The first unfinished step.
    Continue,
    /// The next step (a lesson's quiz first, while it is not taken).
    Next,
    /// The previous step.
    Previous,
    /// Back to the screen below.
    Back,
    /// Leave the tutor.
    Quit,
    /// The keys help.
    Help,
    /// Take the lesson's quiz.
    Quiz,
    /// Run the owners benchmark, or show its chart.
    Benchmark,
    /// Edit the exercise file.
    Edit,
    /// Check the exercise now.
    Check,
    /// Reveal a hint.
    Hint,
    /// Reset the exercise file (asks for `y`).
    Reset,
}

/// One key binding of a screen.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    /// The keys; any of them does it.
    pub codes: &'static [KeyCode],
    /// What they do.
    pub action: Action,
    /// The status bar's words for it, keys included (`e edit`); empty
    /// when the status bar leaves it to the help.
    pub footer: &'static str,
    /// The help's words for it.
    pub help: &'static str,
    /// When the binding applies, given the step on screen.
    pub when: When,
}

/// A condition on a binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// On every step of the screen.
    Always,
    /// On a lesson whose quiz is not taken yet.
    QuizPending,
    /// On a lesson without a quiz, or whose quiz is taken.
    QuizTaken,
    /// On the lesson that runs the owners benchmark.
    BenchmarkLesson,
}

impl When {
    /// Whether it holds for step `i` of `app`.
    pub fn holds(self, app: &App, i: usize) -> bool {
        let quiz_pending = matches!(&app.steps[i].kind, StepKind::Lesson { quiz, .. } if !quiz.is_empty())
            && !app.progress.quiz.contains_key(&app.steps[i].id);
        match self {
            When::Always => true,
            When::QuizPending => quiz_pending,
            When::QuizTaken => !quiz_pending,
            When::BenchmarkLesson => app.runs_benchmark(i),
        }
    }

    /// The condition in words, for the README (`None` when always).
    fn words(self) -> Option<&'static str> {
        match self {
            When::Always => None,
            When::QuizPending => Some("while the quiz is not taken"),
            When::QuizTaken => Some("once the quiz is taken, or without one"),
            When::BenchmarkLesson => Some("in the scaling lesson"),
        }
    }
}

use Action::*;
use KeyCode::{
    Backspace, Char, Down as KDown, End, Enter, Esc, Home, Left, PageDown as KPageDown,
    PageUp as KPageUp, Right, Up as KUp,
};

const fn bind(
    codes: &'static [KeyCode],
    action: Action,
    footer: &'static str,
    help: &'static str,
) -> Binding {
    Binding {
        codes,
        action,
        footer,
        help,
        when: When::Always,
    }
}

const fn only(binding: Binding, when: When) -> Binding {
    Binding { when, ..binding }
}

const HELP: Binding = bind(&[Char('?')], Help, "? keys", "these keys");
const CONTINUE: Binding = bind(
    &[Char('c')],
    Continue,
    "",
    "continue at the first unfinished step",
);
const BACK_TO_COURSE: Binding = bind(
    &[Char('q'), Esc, Backspace],
    Back,
    "q back",
    "back to the course",
);

const PATH: &[Binding] = &[
    bind(&[KDown, Char('j')], Down, "↑↓ move", "the next step"),
    bind(&[KUp, Char('k')], Up, "", "the previous step"),
    bind(&[KPageDown, Char(' ')], PageDown, "", "a page down"),
    bind(&[KPageUp], PageUp, "", "a page up"),
    bind(&[Home, Char('g')], Top, "", "the first step"),
    bind(&[End, Char('G')], Bottom, "", "the last step"),
    bind(
        &[Enter, Char('l'), Right],
        Open,
        "Enter open",
        "open the step",
    ),
    bind(
        &[Char('c')],
        Continue,
        "c continue",
        "continue at the first unfinished step",
    ),
    HELP,
    bind(&[Char('q'), Esc], Quit, "q quit", "quit"),
];

/// A table of text that scrolls: the six scrolling bindings, then `rest`.
macro_rules! scrolling_then {
    ($($rest:expr),* $(,)?) => {
        &[
            bind(&[KDown, Char('j')], Down, "↑↓ scroll", "scroll down"),
            bind(&[KUp, Char('k')], Up, "", "scroll up"),
            bind(&[KPageDown, Char(' ')], PageDown, "", "a page down"),
            bind(&[KPageUp], PageUp, "", "a page up"),
            bind(&[Home, Char('g')], Top, "", "the top"),
            bind(&[End, Char('G')], Bottom, "", "the bottom"),
            $($rest),*
        ]
    };
}

const LESSON: &[Binding] = scrolling_then![
    only(
        bind(
            &[Char('b')],
            Benchmark,
            "b benchmark",
            "run the owners benchmark, or show its chart",
        ),
        When::BenchmarkLesson,
    ),
    only(
        bind(
            &[Char('n'), Enter, Right],
            Next,
            "n quiz, then next",
            "take the quiz, then the next step",
        ),
        When::QuizPending,
    ),
    only(
        bind(&[Char('n'), Enter, Right], Next, "n next", "the next step"),
        When::QuizTaken,
    ),
    bind(
        &[Char('p'), Left],
        Previous,
        "p previous",
        "the previous step",
    ),
    bind(&[Char('t')], Quiz, "t quiz", "take (or retake) the quiz"),
    CONTINUE,
    BACK_TO_COURSE,
    HELP,
];

const EXERCISE: &[Binding] = &[
    bind(
        &[Char('e')],
        Edit,
        "e edit",
        "edit the file in $VISUAL / $EDITOR",
    ),
    bind(&[Char('r')], Check, "r check", "check the file now"),
    bind(&[Char('h')], Hint, "h hint", "reveal the next hint"),
    bind(&[KDown, Char('j')], Down, "↑↓ checks", "the next check"),
    bind(&[KUp, Char('k')], Up, "", "the previous check"),
    bind(
        &[Enter],
        Open,
        "Enter picture",
        "on a failing check: the picture it carries (history, or what was sent and applied)",
    ),
    bind(
        &[KPageDown, Char('J'), Char(' ')],
        PageDown,
        "",
        "a page down in the message and hints",
    ),
    bind(&[KPageUp, Char('K')], PageUp, "", "a page up"),
    bind(&[Home, Char('g')], Top, "", "the top of the message"),
    bind(&[End, Char('G')], Bottom, "", "the bottom"),
    bind(
        &[Char('R')],
        Reset,
        "R reset",
        "reset the file to the starter (y confirms; a .bak copy is kept)",
    ),
    bind(&[Char('n'), Right], Next, "n next", "the next step"),
    bind(&[Char('p'), Left], Previous, "", "the previous step"),
    CONTINUE,
    BACK_TO_COURSE,
    HELP,
];

const HISTORY: &[Binding] = scrolling_then![
    bind(
        &[Char('q'), Esc, Enter, Backspace],
        Back,
        "q back to the checks",
        "back to the checks",
    ),
    HELP,
];

const BENCHMARK: &[Binding] = &[
    bind(
        &[Char('r'), Char('b')],
        Benchmark,
        "r run it again",
        "run the benchmark again",
    ),
    bind(
        &[Char('q'), Esc, Backspace],
        Back,
        "q back to the lesson",
        "back to the lesson",
    ),
    HELP,
];

/// The screens with a key table, named for the help and the README.
pub const SCREENS: &[(&str, &[Binding])] = &[
    ("The course path", PATH),
    ("A lesson", LESSON),
    ("An exercise", EXERCISE),
    ("A failing check's picture", HISTORY),
    ("The benchmark chart", BENCHMARK),
];

/// The name of `screen` as the help and the README give it.
pub fn screen_name(screen: Screen) -> &'static str {
    match screen {
        Screen::Path => SCREENS[0].0,
        Screen::Lesson(_) => SCREENS[1].0,
        Screen::Exercise(_) => SCREENS[2].0,
        Screen::History(_) => SCREENS[3].0,
        Screen::Benchmark(_) => SCREENS[4].0,
        Screen::Quiz(_) => "The quiz",
    }
}

/// The keys of `screen` (none for the quiz, see the module comment).
pub fn table(screen: Screen) -> &'static [Binding] {
    match screen {
        Screen::Path => PATH,
        Screen::Lesson(_) => LESSON,
        Screen::Exercise(_) => EXERCISE,
        Screen::History(_) => HISTORY,
        Screen::Benchmark(_) => BENCHMARK,
        Screen::Quiz(_) => &[],
    }
}

/// The step on `screen`, which conditions are about (the selected one on
/// the path).
fn step(app: &App, screen: Screen) -> usize {
    match screen {
        Screen::Path => app.selected,
        Screen::Lesson(i)
        | Screen::Exercise(i)
        | Screen::History(i)
        | Screen::Quiz(i)
        | Screen::Benchmark(i) => i,
    }
}

/// The bindings of the current screen that apply now.
pub fn current(app: &App) -> impl Iterator<Item = &'static Binding> + '_ {
    let i = step(app, app.screen);
    table(app.screen)
        .iter()
        .filter(move |b| app.steps.is_empty() || b.when.holds(app, i))
}

/// What `key` does on the current screen, if anything.
pub fn action(app: &App, key: KeyEvent) -> Option<Action> {
    current(app)
        .find(|b| b.codes.contains(&key.code))
        .map(|b| b.action)
}

/// The status bar's key line for the current screen, fitted to `width`
/// cells: items drop from the end, but `? keys` always stays.
pub fn footer(app: &App, width: usize) -> String {
    let mut items: Vec<&str> = current(app)
        .map(|b| b.footer)
        .filter(|f| !f.is_empty())
        .collect();
    let help = items.iter().position(|&f| f == HELP.footer);
    if let Some(at) = help {
        let help = items.remove(at);
        items.push(help);
    }
    let len = |items: &[&str]| items.iter().map(|s| s.chars().count() + 2).sum::<usize>();
    while items.len() > 1 && len(&items) > width {
        items.remove(items.len() - 2);
    }
    items.join("  ")
}

/// How `code` is written for people.
pub fn key_name(code: KeyCode) -> String {
    match code {
        KeyCode::Down => "↓".into(),
        KeyCode::Up => "↑".into(),
        KeyCode::Left => "←".into(),
        KeyCode::Right => "→".into(),
        KeyCode::PageDown => "PgDn".into(),
        KeyCode::PageUp => "PgUp".into(),
        KeyCode::Home => "Home".into(),
        KeyCode::End => "End".into(),
        KeyCode::Enter => "Enter".into(),
        KeyCode::Esc => "Esc".into(),
        KeyCode::Backspace => "Backspace".into(),
        KeyCode::Char(' ') => "Space".into(),
        KeyCode::Char(c) => c.to_string(),
        other => format!("{other:?}"),
    }
}

/// A binding's keys as written in the help (`↓ j`).
pub fn keys_of(binding: &Binding) -> String {
    let names: Vec<String> = binding.codes.iter().map(|&c| key_name(c)).collect();
    names.join(" ")
}

/// Keys that work on every screen, outside the tables.
pub const GLOBAL: &[(&str, &str)] = &[("Ctrl-C", "quit from any screen")];

/// Every screen's keys as Markdown tables, the README's key section.
pub fn markdown() -> String {
    let mut out = String::new();
    for (name, table) in SCREENS {
        out.push_str(&format!("{name}:\n\n| keys | what they do |\n|---|---|\n"));
        for b in table.iter() {
            let help = match b.when.words() {
                Some(when) => format!("{} ({when})", b.help),
                None => b.help.to_string(),
            };
            out.push_str(&format!(
                "| `{}` | {help} |\n",
                keys_of(b).replace(' ', "` `")
            ));
        }
        out.push('\n');
    }
    out.push_str("Everywhere:\n\n| keys | what they do |\n|---|---|\n");
    for (keys, what) in GLOBAL {
        out.push_str(&format!("| `{keys}` | {what} |\n"));
    }
    out
}
