//! The Compatibility Kit's step definitions, ported sample by sample from the kit's
//! reference (`STEPS.md` of the conformance material): one module per sample, each with
//! its own world, so each sample sees only its own definitions. Definitions are written in
//! the order the kit registers them; a step that "returns pending" or "returns skipped"
//! calls [`pending`] or [`skip`], one that "throws" panics.

use casebook::event::{Attachment, Body, pending, skip};

/// Declares a sample's world: its outbox and its state.
macro_rules! world {
    ($($field:ident: $ty:ty),* $(,)?) => {
        /// The world of this sample's scenarios.
        #[derive(Debug, Default, cucumber::World)]
        pub struct World {
            outbox: casebook::event::Outbox,
            $(#[allow(dead_code)] $field: $ty,)*
        }

        impl casebook::event::MessageWorld for World {
            fn outbox(&mut self) -> &mut casebook::event::Outbox {
                &mut self.outbox
            }
        }
    };
}

fn text(media_type: &str, body: impl Into<String>) -> Attachment {
    Attachment {
        body: Body::Text(body.into()),
        media_type: media_type.to_owned(),
        file_name: None,
    }
}

fn sample_file(sample: &str, name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cck/samples")
        .join(sample)
        .join(name);
    std::fs::read(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

pub mod minimal {
    use cucumber::given;
    world!();

    #[given(expr = "I have {int} cukes in my belly")]
    fn cukes(_: &mut World, _n: i64) {}
}

pub mod backgrounds {
    use cucumber::{given, then, when};
    world!();

    #[given(expr = "an order for {string}")]
    fn order(_: &mut World, _item: String) {}

    #[when(expr = "an action")]
    fn action(_: &mut World) {}

    #[then(expr = "an outcome")]
    fn outcome(_: &mut World) {}
}

pub mod rules_backgrounds {
    pub use super::backgrounds::*;
}

pub mod multiple_features {
    use cucumber::given;
    world!();

    #[given(expr = "an order for {string}")]
    fn order(_: &mut World, _item: String) {}
}

pub mod cdata {
    use cucumber::given;
    world!();

    #[given(expr = "I have {int} <![CDATA[cukes]]> in my belly")]
    fn cukes(_: &mut World, _n: i64) {}
}

pub mod data_tables {
    use cucumber::gherkin::Step;
    use cucumber::{then, when};
    world!(transposed: Vec<Vec<String>>);

    #[when(expr = "the following table is transposed:")]
    fn transpose(world: &mut World, step: &Step) {
        let rows = &step.table.as_ref().expect("a table").rows;
        world.transposed = (0..rows[0].len())
            .map(|column| rows.iter().map(|row| row[column].clone()).collect())
            .collect();
    }

    #[then(expr = "it should be:")]
    fn should_be(world: &mut World, step: &Step) {
        assert_eq!(world.transposed, step.table.as_ref().expect("a table").rows);
    }
}

pub mod doc_strings {
    use cucumber::gherkin::Step;
    use cucumber::given;
    world!();

    #[given(expr = "a doc string:")]
    fn doc_string(_: &mut World, step: &Step) {
        assert!(step.docstring.is_some());
    }
}

pub mod empty {
    world!();
}

pub mod examples_tables {
    use cucumber::{given, then, when};
    world!(count: i64, friends: i64);

    #[given(expr = "there are {int} cucumbers")]
    fn cucumbers(world: &mut World, n: i64) {
        world.count = n;
    }

    #[given(expr = "there are {int} friends")]
    fn friends(world: &mut World, n: i64) {
        world.friends = n;
    }

    #[when(expr = "I eat {int} cucumbers")]
    fn eat(world: &mut World, n: i64) {
        world.count -= n;
    }

    #[then(expr = "I should have {int} cucumbers")]
    fn should_have(world: &mut World, n: i64) {
        assert_eq!(world.count, n);
    }

    #[then(expr = "each person can eat {int} cucumbers")]
    fn share(world: &mut World, n: i64) {
        assert_eq!(world.count.div_euclid(1 + world.friends), n);
    }
}

/// examples-tables-undefined: the first three definitions of examples-tables.
pub mod examples_tables_undefined {
    use cucumber::{given, then, when};
    world!(count: i64);

    #[given(expr = "there are {int} cucumbers")]
    fn cucumbers(world: &mut World, n: i64) {
        world.count = n;
    }

    #[when(expr = "I eat {int} cucumbers")]
    fn eat(world: &mut World, n: i64) {
        world.count -= n;
    }

    #[then(expr = "I should have {int} cucumbers")]
    fn should_have(world: &mut World, n: i64) {
        assert_eq!(world.count, n);
    }
}

pub mod examples_tables_undefined_multiple {
    pub use super::examples_tables_undefined::*;
}

pub mod rules {
    use cucumber::{given, then, when};
    world!(money: i64, stock: Vec<String>, chocolate: Option<String>);

    #[given(expr = "the customer has {int} cents")]
    fn money(world: &mut World, n: i64) {
        world.money = n;
    }

    #[given(expr = "there are chocolate bars in stock")]
    fn stock(world: &mut World) {
        world.stock = vec!["Mars".to_owned()];
    }

    #[given(expr = "there are no chocolate bars in stock")]
    fn no_stock(world: &mut World) {
        world.stock = Vec::new();
    }

    #[when(expr = "the customer tries to buy a {int} cent chocolate bar")]
    fn buy(world: &mut World, price: i64) {
        if world.money >= price {
            world.chocolate = world.stock.pop();
        }
    }

    #[then(expr = "the sale should not happen")]
    fn no_sale(world: &mut World) {
        assert!(world.chocolate.is_none());
    }

    #[then(expr = "the sale should happen")]
    fn sale(world: &mut World) {
        assert!(world.chocolate.is_some());
    }
}

pub mod unused_steps {
    use cucumber::given;
    world!();

    #[given(expr = "a step that is used")]
    fn used(_: &mut World) {}

    #[given(expr = "a step that is not used")]
    fn not_used(_: &mut World) {}
}

pub mod markdown {
    use cucumber::gherkin::Step;
    use cucumber::{given, then, when};
    world!();

    #[given(expr = "some TypeScript code:")]
    fn typescript(_: &mut World, step: &Step) {
        assert!(step.docstring.is_some());
    }

    #[given(expr = "some classic Gherkin:")]
    fn gherkin(_: &mut World, step: &Step) {
        assert!(step.docstring.is_some());
    }

    #[when(expr = "we use a data table and attach something and then {word}")]
    fn table(world: &mut World, step: &Step, what: String) {
        assert!(step.table.is_some());
        world
            .outbox
            .log(format!("We are logging some plain text ({what})"));
        assert_ne!(what, "fail", "You asked me to fail");
    }

    #[then(expr = "this might or might not run")]
    fn might(_: &mut World) {}
}

pub mod undefined {
    use cucumber::given;
    world!();

    #[given(expr = "an implemented step")]
    fn implemented(_: &mut World) {}

    #[given(expr = "a step that will be skipped")]
    fn skipped(_: &mut World) {}
}

pub mod undefined_multiple {
    pub use super::undefined::*;
}

pub mod ambiguous {
    use cucumber::given;
    world!();

    #[given(regex = r"^a (.*?) with (.*?)$")]
    fn first(_: &mut World, _a: String, _b: String) {}

    #[given(regex = r"^a step with (.*?)$")]
    fn second(_: &mut World, _a: String) {}
}

pub mod skipped {
    use super::skip;
    use cucumber::given;
    world!();

    #[given(expr = "a step that does not skip")]
    fn does_not(_: &mut World) {}

    #[given(expr = "a step that is skipped")]
    fn is_skipped(_: &mut World) {}

    #[given(expr = "I skip a step")]
    fn skips(_: &mut World) {
        skip(None);
    }
}

pub mod skipped_exception {
    use super::skip;
    use cucumber::given;
    world!();

    #[given(expr = "I skip a step")]
    fn skips(_: &mut World) {
        skip(Some("skipping"));
    }
}

pub mod pending {
    use super::pending;
    use cucumber::given;
    world!();

    #[given(expr = "an implemented non-pending step")]
    fn implemented(_: &mut World) {}

    #[given(expr = "an implemented step that is skipped")]
    fn skipped(_: &mut World) {}

    #[given(expr = "an unimplemented pending step")]
    fn unimplemented(_: &mut World) {
        pending(None);
    }
}

pub mod pending_exception {
    use super::pending;
    use cucumber::given;
    world!();

    #[given(expr = "an unimplemented pending step")]
    fn unimplemented(_: &mut World) {
        pending(Some("TODO"));
    }
}

pub mod regular_expression {
    use cucumber::given;
    world!();

    #[given(regex = r"^a (.*?)(?: and a (.*?))?(?: and a (.*?))?$")]
    fn vegetables(_: &mut World, _a: String, _b: String, _c: String) {}
}

pub mod all_statuses {
    use super::{pending, skip};
    use cucumber::given;
    world!();

    #[given(regex = r"^a step$")]
    fn step(_: &mut World) {}

    #[given(regex = r"^a failing step$")]
    fn failing(_: &mut World) {
        panic!("whoops");
    }

    #[given(regex = r"^a pending step$")]
    fn pending_step(_: &mut World) {
        pending(None);
    }

    #[given(regex = r"^a skipped step$")]
    fn skipped_step(_: &mut World) {
        skip(None);
    }

    #[given(regex = r"^an ambiguous (.*?)$")]
    fn ambiguous_one(_: &mut World, _a: String) {}

    #[given(regex = r"^(.*?) ambiguous step$")]
    fn ambiguous_two(_: &mut World, _a: String) {}
}

pub mod failedish_combinations {
    use super::{pending, skip};
    use cucumber::given;
    world!();

    #[given(regex = r"^a step$")]
    fn step(_: &mut World) {}

    #[given(regex = r"^a skipped step$")]
    fn skipped_step(_: &mut World) {
        skip(None);
    }

    #[given(regex = r"^a pending step$")]
    fn pending_step(_: &mut World) {
        pending(None);
    }

    #[given(regex = r"^an ambiguous (.*?)$")]
    fn ambiguous_one(_: &mut World, _a: String) {}

    #[given(regex = r"^(.*?) ambiguous step$")]
    fn ambiguous_two(_: &mut World, _a: String) {}

    #[given(regex = r"^a failing step$")]
    fn failing(_: &mut World) {
        panic!("whoops");
    }
}

pub mod attachments {
    use super::{Attachment, Body, sample_file, text};
    use cucumber::gherkin::Step;
    use cucumber::when;
    world!();

    #[when(expr = "the string {string} is attached as {string}")]
    fn string(world: &mut World, body: String, media_type: String) {
        world.outbox.attach(text(&media_type, body));
    }

    #[when(expr = "the string {string} is logged")]
    fn logged(world: &mut World, body: String) {
        world.outbox.log(body);
    }

    #[when(expr = "text with ANSI escapes is logged")]
    fn ansi(world: &mut World) {
        let colours = [
            (31, 'r'),
            (91, 'a'),
            (33, 'i'),
            (32, 'n'),
            (34, 'b'),
            (95, 'o'),
            (35, 'w'),
        ];
        let rainbow: String = colours
            .iter()
            .map(|(code, letter)| format!("\x1b[{code}m{letter}\x1b[0m"))
            .collect();
        world.outbox.log(format!("This displays a {rainbow}"));
    }

    #[when(expr = "the following string is attached as {string}:")]
    fn doc_string(world: &mut World, step: &Step, media_type: String) {
        let body = step.docstring.clone().expect("a doc string");
        world.outbox.attach(text(&media_type, body));
    }

    #[when(expr = "an array with {int} bytes is attached as {string}")]
    fn bytes(world: &mut World, size: u8, media_type: String) {
        world.outbox.attach(Attachment {
            body: Body::Bytes((0..size).collect()),
            media_type,
            file_name: None,
        });
    }

    #[when(expr = "a PDF document is attached and renamed")]
    fn pdf(world: &mut World) {
        world.outbox.attach(Attachment {
            body: Body::Bytes(sample_file("attachments", "document.pdf")),
            media_type: "application/pdf".to_owned(),
            file_name: Some("renamed.pdf".to_owned()),
        });
    }

    #[when(expr = "a link to {string} is attached")]
    fn link(world: &mut World, uri: String) {
        world.outbox.attach(text("text/uri-list", uri));
    }

    #[when(expr = "the string {string} is attached as {string} before a failure")]
    fn before_failure(world: &mut World, body: String, media_type: String) {
        world.outbox.attach(text(&media_type, body));
        panic!("whoops");
    }
}

pub mod examples_tables_attachment {
    use super::{Attachment, Body, sample_file};
    use cucumber::when;
    world!();

    fn image(world: &mut World, name: &str, media_type: &str) {
        world.outbox.attach(Attachment {
            body: Body::Bytes(sample_file("examples-tables-attachment", name)),
            media_type: media_type.to_owned(),
            file_name: None,
        });
    }

    #[when(expr = "a JPEG image is attached")]
    fn jpeg(world: &mut World) {
        image(world, "cucumber.jpeg", "image/jpeg");
    }

    #[when(expr = "a PNG image is attached")]
    fn png(world: &mut World) {
        image(world, "cucumber.png", "image/png");
    }
}

pub mod stack_traces {
    use cucumber::when;
    world!();

    #[when(expr = "a step throws an exception")]
    fn throws(_: &mut World) {
        panic!("BOOM");
    }
}

pub mod retry {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use cucumber::given;
    world!();

    // Module-level counters, as in the kit: shared by the attempts, not world state.
    static SECOND: AtomicUsize = AtomicUsize::new(0);
    static THIRD: AtomicUsize = AtomicUsize::new(0);

    #[given(expr = "a step that always passes")]
    fn passes(_: &mut World) {}

    #[given(expr = "a step that passes the second time")]
    fn second(_: &mut World) {
        if SECOND.fetch_add(1, Ordering::SeqCst) + 1 < 2 {
            panic!("Exception in step");
        }
    }

    #[given(expr = "a step that passes the third time")]
    fn third(_: &mut World) {
        if THIRD.fetch_add(1, Ordering::SeqCst) + 1 < 3 {
            panic!("Exception in step");
        }
    }

    #[given(expr = "a step that always fails")]
    fn fails(_: &mut World) {
        panic!("Exception in step");
    }
}

pub mod retry_ambiguous {
    use cucumber::given;
    world!();

    #[given(expr = "an ambiguous step")]
    fn first(_: &mut World) {}

    #[given(expr = "an ambiguous step")]
    fn second(_: &mut World) {}
}

pub mod retry_undefined {
    world!();
}

// Hooks: each `async fn` takes its sample's world (or, for BeforeAll and AfterAll, its
// `TestRun`), which is how each sample sees only its own hooks.

pub mod hooks {
    use cucumber::when;
    world!();

    async fn before(_: &mut World) {}
    casebook::before!(before);

    #[when(expr = "a step passes")]
    fn passes(_: &mut World) {}

    #[when(expr = "a step fails")]
    fn fails(_: &mut World) {
        panic!("Exception in step");
    }

    async fn after(_: &mut World) {}
    casebook::after!(after);
}

pub mod hooks_attachment {
    use super::{Attachment, Body, sample_file};
    use cucumber::when;
    world!();

    fn svg(world: &mut World) {
        world.outbox.attach(Attachment {
            body: Body::Bytes(sample_file("hooks-attachment", "cucumber.svg")),
            media_type: "image/svg+xml".to_owned(),
            file_name: None,
        });
    }

    async fn before(world: &mut World) {
        svg(world);
    }
    casebook::before!(before);

    #[when(expr = "a step passes")]
    fn passes(_: &mut World) {}

    async fn after(world: &mut World) {
        svg(world);
    }
    casebook::after!(after);
}

pub mod hooks_conditional {
    use cucumber::when;
    world!();

    async fn passing_before(_: &mut World) {}
    casebook::before!(passing_before, tags = "@passing-hook");

    async fn failing_before(_: &mut World) {
        panic!("Exception in conditional hook");
    }
    casebook::before!(failing_before, tags = "@fail-before");

    #[when(expr = "a step passes")]
    fn passes(_: &mut World) {}

    async fn failing_after(_: &mut World) {
        panic!("Exception in conditional hook");
    }
    casebook::after!(failing_after, tags = "@fail-after");

    async fn passing_after(_: &mut World) {}
    casebook::after!(passing_after, tags = "@passing-hook");
}

pub mod hooks_named {
    use cucumber::when;
    world!();

    async fn before(_: &mut World) {}
    casebook::before!(before, name = "A named before hook");

    #[when(expr = "a step passes")]
    fn passes(_: &mut World) {}

    async fn after(_: &mut World) {}
    casebook::after!(after, name = "A named after hook");
}

pub mod hooks_skipped {
    use super::skip;
    use cucumber::given;
    world!();

    async fn first_before(_: &mut World) {}
    casebook::before!(first_before);

    async fn skipping_before(_: &mut World) {
        skip(None);
    }
    casebook::before!(skipping_before, tags = "@skip-before");

    async fn last_before(_: &mut World) {}
    casebook::before!(last_before);

    #[given(expr = "a normal step")]
    fn normal(_: &mut World) {}

    #[given(expr = "a step that skips")]
    fn skips(_: &mut World) {
        skip(None);
    }

    async fn first_after(_: &mut World) {}
    casebook::after!(first_after);

    async fn skipping_after(_: &mut World) {
        skip(None);
    }
    casebook::after!(skipping_after, tags = "@skip-after");

    async fn last_after(_: &mut World) {}
    casebook::after!(last_after);
}

pub mod hooks_undefined {
    world!();

    async fn before(_: &mut World) {}
    casebook::before!(before);

    async fn after(_: &mut World) {}
    casebook::after!(after);
}

pub mod skipped_failing_hook {
    use super::skip;
    use cucumber::given;
    world!();

    #[given(expr = "a step that skips")]
    fn skips(_: &mut World) {
        skip(None);
    }

    async fn after(_: &mut World) {
        panic!("whoops");
    }
    casebook::after!(after);
}

pub mod global_hooks {
    use casebook::hooks::TestRun;
    use cucumber::when;
    world!();

    async fn first_before_all(_: &mut TestRun<World>) {}
    casebook::before_all!(first_before_all);

    async fn second_before_all(_: &mut TestRun<World>) {}
    casebook::before_all!(second_before_all);

    #[when(expr = "a step passes")]
    fn passes(_: &mut World) {}

    #[when(expr = "a step fails")]
    fn fails(_: &mut World) {
        panic!("Exception in step");
    }

    async fn first_after_all(_: &mut TestRun<World>) {}
    casebook::after_all!(first_after_all);

    async fn second_after_all(_: &mut TestRun<World>) {}
    casebook::after_all!(second_after_all);
}

pub mod global_hooks_afterall_error {
    use casebook::hooks::TestRun;
    use cucumber::when;
    world!();

    async fn first_before_all(_: &mut TestRun<World>) {}
    casebook::before_all!(first_before_all);

    async fn second_before_all(_: &mut TestRun<World>) {}
    casebook::before_all!(second_before_all);

    #[when(expr = "a step passes")]
    fn passes(_: &mut World) {}

    async fn first_after_all(_: &mut TestRun<World>) {}
    casebook::after_all!(first_after_all);

    async fn failing_after_all(_: &mut TestRun<World>) {
        panic!("AfterAll hook went wrong");
    }
    casebook::after_all!(failing_after_all);

    async fn last_after_all(_: &mut TestRun<World>) {}
    casebook::after_all!(last_after_all);
}

pub mod global_hooks_attachments {
    use super::text;
    use casebook::hooks::TestRun;
    use cucumber::when;
    world!();

    async fn before_all(run: &mut TestRun<World>) {
        run.attach(text("text/plain", "Attachment from BeforeAll hook"));
    }
    casebook::before_all!(before_all);

    #[when(expr = "a step passes")]
    fn passes(_: &mut World) {}

    async fn after_all(run: &mut TestRun<World>) {
        run.attach(text("text/plain", "Attachment from AfterAll hook"));
    }
    casebook::after_all!(after_all);
}

pub mod global_hooks_beforeall_error {
    use casebook::hooks::TestRun;
    use cucumber::when;
    world!();

    async fn first_before_all(_: &mut TestRun<World>) {}
    casebook::before_all!(first_before_all);

    async fn failing_before_all(_: &mut TestRun<World>) {
        panic!("BeforeAll hook went wrong");
    }
    casebook::before_all!(failing_before_all);

    async fn last_before_all(_: &mut TestRun<World>) {}
    casebook::before_all!(last_before_all);

    #[when(expr = "a step passes")]
    fn passes(_: &mut World) {}

    async fn first_after_all(_: &mut TestRun<World>) {}
    casebook::after_all!(first_after_all);

    async fn second_after_all(_: &mut TestRun<World>) {}
    casebook::after_all!(second_after_all);
}

pub mod multiple_features_reversed {
    pub use super::multiple_features::*;
}
