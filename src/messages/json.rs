//! The one hand-written JSON writer of the crate: the envelopes that every step and test
//! case of a run sends, written field by field ([`Envelope::write_json`]), beside serde for
//! the rest. The test below holds it to serde's bytes for every envelope it writes itself.

use super::envelope::*;

impl Envelope {
    /// Writes the envelope as one line of JSON into `out`, without the line's end.
    ///
    /// The messages every step and every test case sends (a step started, a step finished
    /// without a message, a test case started and finished), and each test case with its
    /// steps' arguments, are written here directly: through serde each of their dozen keys
    /// would be escaped in turn, on the runner's thread, for every step of a run. Their
    /// shape is fixed and their keys need no escaping; their texts (ids, captured values)
    /// are still written by serde_json, and a test holds both ways to the same bytes. Every
    /// other message goes through serde.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        match self {
            Envelope::TestCase(m) => Object::open(out, "testCase")
                .text("id", &m.id)
                .text("pickleId", &m.pickle_id)
                .array("testSteps", &m.test_steps, |out, step| {
                    Object::bare(out, |o| test_step(o, step))
                })
                .text("testRunStartedId", &m.test_run_started_id)
                .close(),
            Envelope::TestStepStarted(m) => Object::open(out, "testStepStarted")
                .text("testCaseStartedId", &m.test_case_started_id)
                .text("testStepId", &m.test_step_id)
                .timestamp("timestamp", m.timestamp)
                .close(),
            Envelope::TestStepFinished(m)
                if m.test_step_result.message.is_none()
                    && m.test_step_result.exception.is_none() =>
            {
                Object::open(out, "testStepFinished")
                    .text("testCaseStartedId", &m.test_case_started_id)
                    .text("testStepId", &m.test_step_id)
                    .object("testStepResult", |result| {
                        result
                            .text("status", m.test_step_result.status.as_str())
                            .timestamp("duration", m.test_step_result.duration)
                    })
                    .timestamp("timestamp", m.timestamp)
                    .close()
            }
            Envelope::TestCaseStarted(m) => Object::open(out, "testCaseStarted")
                .text("id", &m.id)
                .text("testCaseId", &m.test_case_id)
                .number("attempt", m.attempt as u64)
                .timestamp("timestamp", m.timestamp)
                .close(),
            Envelope::TestCaseFinished(m) => Object::open(out, "testCaseFinished")
                .text("testCaseStartedId", &m.test_case_started_id)
                .timestamp("timestamp", m.timestamp)
                .boolean("willBeRetried", m.will_be_retried)
                .close(),
            _ => serde_json::to_writer(out, self).expect("messages serialise to JSON"),
        }
    }
}

/// The fields of a [`TestStep`], as serde writes them (absent ones left out).
fn test_step<'o>(o: Object<'o>, step: &TestStep) -> Object<'o> {
    o.text("id", &step.id)
        .maybe("pickleStepId", step.pickle_step_id.as_deref(), Object::text)
        .maybe("hookId", step.hook_id.as_deref(), Object::text)
        .maybe(
            "stepDefinitionIds",
            step.step_definition_ids.as_deref(),
            |o, key, ids| o.array(key, ids, |out, id| text(out, id)),
        )
        .maybe(
            "stepMatchArgumentsLists",
            step.step_match_arguments_lists.as_deref(),
            |o, key, lists| {
                o.array(key, lists, |out, list| {
                    Object::bare(out, |o| {
                        o.array("stepMatchArguments", &list.step_match_arguments, argument)
                    })
                })
            },
        )
}

/// A captured argument: its group, and its parameter type for a Cucumber Expression.
fn argument(out: &mut Vec<u8>, argument: &StepMatchArgument) {
    Object::bare(out, |o| {
        o.object("group", |g| group(g, &argument.group)).maybe(
            "parameterTypeName",
            argument.parameter_type_name.as_deref(),
            Object::text,
        )
    });
}

/// The fields of a capture [`Group`] and of the groups inside it.
fn group<'o>(o: Object<'o>, group: &Group) -> Object<'o> {
    let children = (!group.children.is_empty()).then_some(group.children.as_slice());
    o.maybe("start", group.start, |o, key, start| {
        o.number(key, start as u64)
    })
    .maybe("value", group.value.as_deref(), Object::text)
    .maybe("children", children, |o, key, children| {
        o.array(key, children, |out, child| {
            Object::bare(out, |o| self::group(o, child))
        })
    })
}

/// A JSON string, escaped by serde_json.
fn text(out: &mut Vec<u8>, text: &str) {
    serde_json::to_writer(out, text).expect("a string serialises to JSON");
}

/// A JSON object written field by field, for [`Envelope::write_json`]: keys are written as
/// they are (they are this module's own names, which need no escaping), texts through
/// serde_json.
struct Object<'o> {
    out: &'o mut Vec<u8>,
    /// Whether a field is written yet (the next one is preceded by a comma).
    fields: bool,
}

impl<'o> Object<'o> {
    /// `{"<message>":{`, an envelope and the object of its message.
    fn open(out: &'o mut Vec<u8>, message: &str) -> Self {
        out.extend_from_slice(b"{\"");
        out.extend_from_slice(message.as_bytes());
        out.extend_from_slice(b"\":{");
        Object { out, fields: false }
    }

    fn key(&mut self, key: &str) {
        if self.fields {
            self.out.push(b',');
        }
        self.fields = true;
        self.out.push(b'"');
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(b"\":");
    }

    /// An object inside another value (an array's item): `{`, its fields, `}`.
    fn bare(out: &mut Vec<u8>, fields: impl FnOnce(Object<'_>) -> Object<'_>) {
        out.push(b'{');
        fields(Object {
            out: &mut *out,
            fields: false,
        });
        out.push(b'}');
    }

    fn text(mut self, key: &str, text: &str) -> Self {
        self.key(key);
        self::text(self.out, text);
        self
    }

    /// The field `key` written by `field` when there is a value, as serde skips a `None`.
    fn maybe<T>(
        self,
        key: &str,
        value: Option<T>,
        field: impl FnOnce(Self, &str, T) -> Self,
    ) -> Self {
        match value {
            Some(value) => field(self, key, value),
            None => self,
        }
    }

    /// `"key":[…]`, each item written into the array by `item`.
    fn array<T>(mut self, key: &str, items: &[T], mut item: impl FnMut(&mut Vec<u8>, &T)) -> Self {
        self.key(key);
        self.out.push(b'[');
        for (index, each) in items.iter().enumerate() {
            if index > 0 {
                self.out.push(b',');
            }
            item(self.out, each);
        }
        self.out.push(b']');
        self
    }

    fn number(mut self, key: &str, number: u64) -> Self {
        self.key(key);
        self.out
            .extend_from_slice(itoa::Buffer::new().format(number).as_bytes());
        self
    }

    fn boolean(mut self, key: &str, value: bool) -> Self {
        self.key(key);
        self.out
            .extend_from_slice(if value { b"true" } else { b"false" });
        self
    }

    /// `{"seconds":…,"nanos":…}`, as serde writes a [`Timestamp`].
    fn timestamp(self, key: &str, at: Timestamp) -> Self {
        self.object(key, |time| {
            time.number("seconds", at.seconds)
                .number("nanos", u64::from(at.nanos))
        })
    }

    /// A nested object, its fields written by `fields`.
    fn object(mut self, key: &str, fields: impl FnOnce(Object<'_>) -> Object<'_>) -> Self {
        self.key(key);
        self.out.push(b'{');
        fields(Object {
            out: &mut *self.out,
            fields: false,
        });
        self.out.push(b'}');
        self
    }

    /// Ends the message's object and the envelope.
    fn close(self) {
        self.out.extend_from_slice(b"}}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The envelopes [`Envelope::write_json`] writes itself, with texts that need escaping.
    fn written_directly() -> Vec<Envelope> {
        let ids = [
            "0cea08b8.8w",
            "a\"quote\\slash",
            "tab\tline\nbell\u{7}",
            "é ✓ 𝄞",
            "",
        ];
        let at = Timestamp {
            seconds: 1_795_302_134,
            nanos: 210_779_408,
        };
        let long = Timestamp {
            seconds: u64::MAX,
            nanos: 999_999_999,
        };
        let statuses = [
            TestStepResultStatus::Passed,
            TestStepResultStatus::Skipped,
            TestStepResultStatus::Pending,
            TestStepResultStatus::Undefined,
            TestStepResultStatus::Ambiguous,
            TestStepResultStatus::Failed,
        ];
        let mut envelopes = Vec::new();
        for (n, id) in ids.iter().enumerate() {
            let other = ids[(n + 1) % ids.len()].to_owned();
            envelopes.push(Envelope::TestStepStarted(TestStepStarted {
                test_case_started_id: (*id).to_owned(),
                test_step_id: other.clone(),
                timestamp: at,
            }));
            envelopes.push(Envelope::TestCaseStarted(TestCaseStarted {
                id: (*id).to_owned(),
                test_case_id: other.clone(),
                attempt: n * 1000,
                timestamp: long,
            }));
            envelopes.push(Envelope::TestCaseFinished(TestCaseFinished {
                test_case_started_id: (*id).to_owned(),
                timestamp: Timestamp::default(),
                will_be_retried: n % 2 == 0,
            }));
            let argument = |value: &str, parameter: Option<&str>| StepMatchArgument {
                group: Group {
                    start: Some(n * 7),
                    value: Some(format!("\"{value}\"")),
                    children: vec![
                        Group {
                            start: Some(n * 7 + 1),
                            value: Some(value.to_owned()),
                            children: vec![Group::default()],
                        },
                        Group {
                            start: None,
                            value: None,
                            children: vec![Group::default()],
                        },
                    ],
                },
                parameter_type_name: parameter.map(str::to_owned),
            };
            envelopes.push(Envelope::TestCase(TestCase {
                id: (*id).to_owned(),
                pickle_id: other.clone(),
                test_steps: vec![
                    // A hook's step.
                    TestStep {
                        id: other.clone(),
                        pickle_step_id: None,
                        hook_id: Some((*id).to_owned()),
                        step_definition_ids: None,
                        step_match_arguments_lists: None,
                    },
                    // An undefined step.
                    TestStep {
                        id: (*id).to_owned(),
                        pickle_step_id: Some(other.clone()),
                        hook_id: None,
                        step_definition_ids: Some(Vec::new()),
                        step_match_arguments_lists: Some(Vec::new()),
                    },
                    // A step two definitions match, one capturing nothing.
                    TestStep {
                        id: other.clone(),
                        pickle_step_id: Some((*id).to_owned()),
                        hook_id: None,
                        step_definition_ids: Some(vec![(*id).to_owned(), other.clone()]),
                        step_match_arguments_lists: Some(vec![
                            StepMatchArgumentsList {
                                step_match_arguments: vec![
                                    argument(id, Some("string")),
                                    argument(&other, None),
                                ],
                            },
                            StepMatchArgumentsList {
                                step_match_arguments: Vec::new(),
                            },
                        ]),
                    },
                ],
                test_run_started_id: other.clone(),
            }));
            envelopes.push(Envelope::TestCase(TestCase {
                id: (*id).to_owned(),
                pickle_id: other.clone(),
                test_steps: Vec::new(),
                test_run_started_id: (*id).to_owned(),
            }));
            for status in statuses {
                envelopes.push(Envelope::TestStepFinished(TestStepFinished {
                    test_case_started_id: (*id).to_owned(),
                    test_step_id: other.clone(),
                    test_step_result: TestStepResult {
                        status,
                        duration: at,
                        message: None,
                        exception: None,
                    },
                    timestamp: long,
                }));
            }
        }
        envelopes
    }

    #[test]
    fn envelopes_written_directly_are_what_serde_writes() {
        for envelope in written_directly() {
            let mut direct = Vec::new();
            envelope.write_json(&mut direct);
            let serde = serde_json::to_vec(&envelope).unwrap();
            assert_eq!(
                String::from_utf8(direct).unwrap(),
                String::from_utf8(serde).unwrap()
            );
        }
    }

    #[test]
    fn a_finished_step_with_a_message_is_written_whole_with_its_message_escaped() {
        let envelope = Envelope::TestStepFinished(TestStepFinished {
            test_case_started_id: "s".into(),
            test_step_id: "t".into(),
            test_step_result: TestStepResult {
                status: TestStepResultStatus::Failed,
                duration: Timestamp::default(),
                message: Some("boom \"here\"".into()),
                exception: None,
            },
            timestamp: Timestamp::default(),
        });
        let mut direct = Vec::new();
        envelope.write_json(&mut direct);
        assert_eq!(direct, serde_json::to_vec(&envelope).unwrap());
        assert!(
            String::from_utf8(direct)
                .unwrap()
                .contains(r#""message":"boom \"here\"""#)
        );
    }
}
