//! `cucumber.json` of the fixture run.
