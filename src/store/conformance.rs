//! The conformance suite every [`Store`] backend must pass. Each check takes a fresh, empty store
//! from the factory; a backend's tests call [`check_all`] (the SQLite store's do, in memory and
//! on a file). What is checked is the contract the engine relies on, not any SQL.

mod keys;

use super::{
    Append, CaseFilter, CaseRow, DeliveryFilter, Derived, EventRow, IdempotencyRow, ImportItem, ImportedCase,
    LevelFilter, NewCase, NewDeliveryAttempt, NewDeployment, NewImport, NewWarning, NewWebhook, OpenClockRow,
    SourceFile, Store, StoreError, WarningFilter,
};

/// Runs every check on fresh stores from `make`; panics with the check's name on a failure.
pub fn check_all<S: Store>(make: &mut dyn FnMut() -> S) {
    deploy_is_idempotent_and_versions_are_unique(&mut make());
    case_numbers_are_unique_per_workflow(&mut make());
    appends_happen_only_at_the_expected_version(&mut make());
    idempotency_answers_are_kept(&mut make());
    open_clocks_are_replaced_and_queried_by_date(&mut make());
    cases_are_found_and_counted(&mut make());
    cases_are_listed_by_filter_and_page(&mut make());
    automatic_numbers_are_distinct_and_skip_chosen_ones(&mut make());
    a_snapshot_reads_one_state(&mut make());
    imports_create_cases_skip_taken_numbers_and_are_all_or_nothing(&mut make());
    keys::check_all(make);
    warnings_are_recorded_once_and_queued_for_the_webhooks_that_want_them(&mut make());
    deliveries_are_claimed_leased_and_logged(&mut make());
}

fn deployment(version: &str, hash: &str) -> NewDeployment {
    NewDeployment {
        workflow: "w".to_owned(),
        version: version.to_owned(),
        content_hash: hash.to_owned(),
        sources: vec![SourceFile {
            path: String::new(),
            from: String::new(),
            name: "w.yaml".to_owned(),
            text: "x".to_owned(),
        }],
        deployed_at: "2026-01-05T09:00:00+08:00".to_owned(),
    }
}

fn case(id: &str, deployment: i64, number: &str) -> CaseRow {
    CaseRow {
        id: id.to_owned(),
        deployment,
        workflow: "w".to_owned(),
        number: number.to_owned(),
        opened_at: "2026-03-02T09:00:00+08:00".to_owned(),
        last_at: "2026-03-02T09:00:00+08:00".to_owned(),
        version: 1,
        head_hash: "h0".to_owned(),
        configuration: "{}".to_owned(),
        finished_on: None,
    }
}

fn event(sequence: u64, at: &str) -> EventRow {
    EventRow {
        sequence,
        at: at.to_owned(),
        record: format!("{{\"n\":{sequence}}}"),
        previous_hash: format!("h{}", sequence.saturating_sub(1)),
        hash: format!("h{sequence}"),
        hash_algorithm: "test".to_owned(),
    }
}

fn derived(clocks: &[(&str, Option<&str>)]) -> Derived {
    Derived {
        configuration: "{}".to_owned(),
        finished_on: None,
        open_clocks: clocks
            .iter()
            .map(|(clock, yellow_on)| OpenClockRow {
                clock: (*clock).to_owned(),
                phase: "running".to_owned(),
                due_date: Some("2026-04-01".to_owned()),
                yellow_on: yellow_on.map(str::to_owned),
                statutory_limit: Some("20 wd".to_owned()),
                // A clock with no warning date is in a pause that runs over on 2026-03-12.
                pause_overrun_on: yellow_on.is_none().then(|| "2026-03-12".to_owned()),
                ..OpenClockRow::default()
            })
            .collect(),
    }
}

fn open<S: Store>(store: &mut S, id: &str, number: &str) -> i64 {
    let (row, _) = store.deploy(&deployment("1", "hash-1")).expect("deploy");
    let new = case(id, row.key, number);
    let first = [event(0, "2026-03-02T09:00:00+08:00")];
    store
        .create_case(&NewCase { case: &new, events: &first, derived: &derived(&[]), idempotency: None })
        .expect("create");
    row.key
}

fn deploy_is_idempotent_and_versions_are_unique<S: Store>(store: &mut S) {
    let (first, new) = store.deploy(&deployment("1", "hash-1")).expect("deploy");
    assert!(new, "deploy: a first deployment is new");
    let (again, new) = store.deploy(&deployment("1", "hash-1")).expect("deploy again");
    assert!(!new && again.key == first.key, "deploy: the same content is the same deployment");
    let taken = store.deploy(&deployment("1", "hash-other"));
    assert!(matches!(taken, Err(StoreError::VersionTaken { .. })), "deploy: a taken version is refused");
    store.deploy(&deployment("2", "hash-2")).expect("deploy v2");
    assert_eq!(store.latest_deployment("w").expect("latest").map(|row| row.version), Some("2".to_owned()));
    let latest = store.latest_deployment("w").expect("latest").map(|row| row.key);
    assert_eq!(store.latest_deployment_key("w").expect("latest key"), latest, "latest_deployment_key");
    assert_eq!(store.latest_deployment_key("none").expect("latest key"), None, "latest_deployment_key: none");
    assert_eq!(store.deployment(first.key).expect("by key").sources[0].name, "w.yaml");
    assert_eq!(store.deployments().expect("all").len(), 2);
}

fn case_numbers_are_unique_per_workflow<S: Store>(store: &mut S) {
    let key = open(store, "c1", "N-1");
    let twin = case("c2", key, "N-1");
    let refused = store.create_case(&NewCase {
        case: &twin,
        events: &[event(0, "2026-03-02T09:00:00+08:00")],
        derived: &derived(&[]),
        idempotency: None,
    });
    assert!(matches!(refused, Err(StoreError::NumberTaken { .. })), "create: a taken number is refused");
    assert!(store.case("c2").expect("read").is_none(), "create: a refused case leaves nothing");
    assert!(store.events("c2").expect("events").is_empty(), "create: a refused case leaves no events");
}

fn appends_happen_only_at_the_expected_version<S: Store>(store: &mut S) {
    open(store, "c1", "N-1");
    let events = [event(1, "2026-03-03T09:00:00+08:00"), event(2, "2026-03-03T09:00:00+08:00")];
    let none = derived(&[]);
    let append = |expected_version| Append {
        case_id: "c1",
        expected_version,
        previous_head_hash: if expected_version == 0 { "h-none" } else { "h0" },
        events: &events,
        head_hash: "h2",
        last_at: "2026-03-03T09:00:00+08:00",
        derived: &none,
        open_clocks_changed: true,
        idempotency: None,
    };
    let stale = store.append(&append(0));
    assert!(
        matches!(stale, Err(StoreError::Conflict { expected: 0, actual: 1, .. })),
        "append: a stale version is a conflict"
    );
    assert_eq!(store.events("c1").expect("events").len(), 1, "append: a conflict writes nothing");
    let forged = store.append(&Append { previous_head_hash: "h-forged", ..append(1) });
    assert!(matches!(forged, Err(StoreError::Corrupt(_))), "append: a head hash other than the stored one is refused");
    assert_eq!(store.events("c1").expect("events").len(), 1, "append: a refused head writes nothing");
    store.append(&append(1)).expect("append");
    let row = store.case("c1").expect("read").expect("case");
    assert_eq!((row.version, row.head_hash.as_str()), (3, "h2"), "append: the case row moves with its events");
    let sequences: Vec<u64> = store.events("c1").expect("events").iter().map(|event| event.sequence).collect();
    assert_eq!(sequences, [0, 1, 2], "append: events come back in order");
    let again = store.append(&append(1));
    assert!(matches!(again, Err(StoreError::Conflict { .. })), "append: the same version twice is a conflict");
    let missing = store.append(&Append { case_id: "nobody", ..append(1) });
    assert!(matches!(missing, Err(StoreError::NotFound { .. })), "append: an unknown case is not found");
}

fn idempotency_answers_are_kept<S: Store>(store: &mut S) {
    let (row, _) = store.deploy(&deployment("1", "hash-1")).expect("deploy");
    let new = case("c1", row.key, "N-1");
    let first = [event(0, "2026-03-02T09:00:00+08:00")];
    store
        .create_case(&NewCase {
            case: &new,
            events: &first,
            derived: &derived(&[]),
            idempotency: Some(("open-1", "request-0")),
        })
        .expect("create");
    let answer = |key: &str, case_id: &str, first_sequence: u64, version: u64, request: &str| IdempotencyRow {
        key: key.to_owned(),
        request: request.to_owned(),
        case_id: case_id.to_owned(),
        first_sequence,
        version,
    };
    assert_eq!(store.answer("open-1").expect("answer"), Some(answer("open-1", "c1", 0, 1, "request-0")));
    let events = [event(1, "2026-03-03T09:00:00+08:00")];
    let append = Append {
        case_id: "c1",
        expected_version: 1,
        previous_head_hash: "h0",
        events: &events,
        head_hash: "h1",
        last_at: "2026-03-03T09:00:00+08:00",
        derived: &derived(&[]),
        open_clocks_changed: true,
        idempotency: Some(("k", "request-1")),
    };
    store.append(&append).expect("append");
    assert_eq!(store.answer("k").expect("answer"), Some(answer("k", "c1", 1, 2, "request-1")));
    assert_eq!(store.answer("other").expect("answer"), None);
    // A key used already is refused before anything else is looked at, and nothing is written.
    let again = store.append(&Append { expected_version: 2, previous_head_hash: "h1", ..append.clone() });
    assert!(matches!(again, Err(StoreError::KeyTaken { .. })), "append: a used key is refused: {again:?}");
    let stale = store.append(&append);
    assert!(matches!(stale, Err(StoreError::KeyTaken { .. })), "append: a used key comes before the version");
    assert_eq!(store.case("c1").expect("read").expect("case").version, 2, "append: nothing written");
    let other = case("c2", row.key, "N-2");
    let opened = store.create_case(&NewCase {
        case: &other,
        events: &first,
        derived: &derived(&[]),
        idempotency: Some(("k", "request-2")),
    });
    assert!(matches!(opened, Err(StoreError::KeyTaken { .. })), "create: keys are one namespace");
    assert!(store.case("c2").expect("read").is_none(), "create: nothing written");
}

fn open_clocks_are_replaced_and_queried_by_date<S: Store>(store: &mut S) {
    open(store, "c1", "N-1");
    let events = [event(1, "2026-03-03T09:00:00+08:00")];
    let clocks = derived(&[("a", Some("2026-03-10")), ("b", None), ("c", Some("2026-03-20"))]);
    store
        .append(&Append {
            case_id: "c1",
            expected_version: 1,
            previous_head_hash: "h0",
            events: &events,
            head_hash: "h1",
            last_at: "2026-03-03T09:00:00+08:00",
            derived: &clocks,
            open_clocks_changed: true,
            idempotency: None,
        })
        .expect("append");
    let names = |rows: Vec<OpenClockRow>| rows.into_iter().map(|row| row.clock).collect::<Vec<_>>();
    assert_eq!(names(store.open_clocks("c1").expect("clocks")), ["a", "b", "c"]);
    let warned: Vec<String> =
        store.open_clocks_warned("2026-03-15").expect("warned").into_iter().map(|(_, row)| row.clock).collect();
    assert_eq!(warned, ["a", "b"], "open clocks: warned by the date, or paused past their maximum by it");
    let stored = store.open_clocks("c1").expect("clocks");
    assert_eq!(stored, clocks.open_clocks, "open clocks: every figure comes back as written");
    let early: Vec<String> =
        store.open_clocks_warned("2026-03-11").expect("warned").into_iter().map(|(_, row)| row.clock).collect();
    assert_eq!(early, ["a"], "open clocks: a pause is not past its maximum before its date");
    let events = [event(2, "2026-03-04T09:00:00+08:00")];
    store
        .append(&Append {
            case_id: "c1",
            expected_version: 2,
            previous_head_hash: "h1",
            events: &events,
            head_hash: "h2",
            last_at: "2026-03-04T09:00:00+08:00",
            derived: &derived(&[("b", None)]),
            open_clocks_changed: true,
            idempotency: None,
        })
        .expect("append");
    assert_eq!(names(store.open_clocks("c1").expect("clocks")), ["b"], "open clocks: replaced, not added to");
    let events = [event(3, "2026-03-05T09:00:00+08:00")];
    store
        .append(&Append {
            case_id: "c1",
            expected_version: 3,
            previous_head_hash: "h2",
            events: &events,
            head_hash: "h3",
            last_at: "2026-03-05T09:00:00+08:00",
            derived: &derived(&[("b", None)]),
            open_clocks_changed: false,
            idempotency: None,
        })
        .expect("append");
    assert_eq!(names(store.open_clocks("c1").expect("clocks")), ["b"], "open clocks: kept when unchanged");
    assert_eq!(store.case("c1").expect("read").expect("case").version, 4, "open clocks: the case still moves");
    assert_eq!(store.cases_changed_after("2026-03-03").expect("changed").len(), 1);
    assert!(store.cases_changed_after("2026-03-05").expect("changed").is_empty());
}

fn cases_are_found_and_counted<S: Store>(store: &mut S) {
    open(store, "c1", "N-1");
    open(store, "c2", "N-2");
    assert_eq!(store.cases_numbered("N-2").expect("numbered").len(), 1);
    assert_eq!(store.cases().expect("all").iter().map(|case| case.number.as_str()).collect::<Vec<_>>(), ["N-1", "N-2"]);
    let key = store.case("c1").expect("read").expect("case").deployment;
    assert_eq!(
        store.deployment_cases().expect("counts"),
        [super::DeploymentCases { deployment: key, open: 2, finished: 0 }],
        "cases: counted per deployment"
    );
}

/// Stores five cases: `N-1` (version 1, in `a`, opened 03-02, yellow on 03-10, red on 03-20), `N-2`
/// (version 1, in `b`, opened 03-05, finished), `N-3` (version 2, in `a` and `c`, opened 03-09,
/// last event 03-25, yellow on 03-12), `N-4` (version 2, unreadable configuration), and `M-1`
/// of workflow `m`.
fn list_fixture<S: Store>(store: &mut S) -> (i64, i64) {
    let (first, _) = store.deploy(&deployment("1", "hash-1")).expect("deploy");
    let (second, _) = store.deploy(&deployment("2", "hash-2")).expect("deploy");
    let (other, _) = store.deploy(&NewDeployment { workflow: "m".to_owned(), ..deployment("1", "hash-m") }).expect("m");
    let clock = |yellow_on: &str, red_on: Option<&str>| OpenClockRow {
        clock: "k".to_owned(),
        phase: "running".to_owned(),
        due_date: None,
        yellow_on: Some(yellow_on.to_owned()),
        red_on: red_on.map(str::to_owned),
        ..OpenClockRow::default()
    };
    let cases = [
        (
            "c1",
            first.key,
            "w",
            "N-1",
            "2026-03-02",
            "2026-03-02",
            r#"{"active":["a"]}"#,
            None,
            vec![clock("2026-03-10", Some("2026-03-20"))],
        ),
        ("c2", first.key, "w", "N-2", "2026-03-05", "2026-03-06", r#"{"active":["b"]}"#, Some("2026-03-06"), vec![]),
        (
            "c3",
            second.key,
            "w",
            "N-3",
            "2026-03-09",
            "2026-03-25",
            r#"{"active":["a","c"]}"#,
            None,
            vec![clock("2026-03-12", None)],
        ),
        ("c4", second.key, "w", "N-4", "2026-03-09", "2026-03-09", "not json", None, vec![]),
        ("m1", other.key, "m", "M-1", "2026-03-02", "2026-03-02", r#"{"active":["a"]}"#, None, vec![]),
    ];
    for (id, deployment, workflow, number, opened, last, configuration, finished, clocks) in cases {
        let row = CaseRow {
            workflow: workflow.to_owned(),
            opened_at: format!("{opened}T09:00:00+08:00"),
            last_at: format!("{last}T09:00:00+08:00"),
            configuration: configuration.to_owned(),
            finished_on: finished.map(str::to_owned),
            ..case(id, deployment, number)
        };
        let derived = Derived {
            configuration: configuration.to_owned(),
            finished_on: row.finished_on.clone(),
            open_clocks: clocks,
        };
        let first_event = [event(0, &row.opened_at)];
        store
            .create_case(&NewCase { case: &row, events: &first_event, derived: &derived, idempotency: None })
            .expect("create");
    }
    (first.key, second.key)
}

fn cases_are_listed_by_filter_and_page<S: Store>(store: &mut S) {
    let (first, second) = list_fixture(store);
    let listed = |filter: CaseFilter| -> Vec<String> {
        store.list_cases(&filter).expect("list").into_iter().map(|listed| listed.case.number).collect()
    };
    let all = CaseFilter::default();
    assert_eq!(listed(all.clone()), ["M-1", "N-1", "N-2", "N-3", "N-4"], "list: every case, by workflow and number");
    let versions: Vec<String> =
        store.list_cases(&all).expect("list").into_iter().map(|listed| listed.workflow_version).collect();
    assert_eq!(versions, ["1", "1", "1", "2", "2"], "list: each case with its workflow version");
    let w = |filter: CaseFilter| CaseFilter { workflow: Some("w".to_owned()), ..filter };
    assert_eq!(listed(w(CaseFilter::default())), ["N-1", "N-2", "N-3", "N-4"], "list: by workflow");
    assert_eq!(
        listed(w(CaseFilter { version: Some("2".to_owned()), ..all.clone() })),
        ["N-3", "N-4"],
        "list: by version"
    );
    let in_a = vec![(first, "a".to_owned()), (second, "c".to_owned())];
    assert_eq!(
        listed(CaseFilter { active_in: Some(in_a), ..all.clone() }),
        ["N-1", "N-3"],
        "list: by active state per deployment"
    );
    // Clock `k` is open in N-1 (first deployment) and N-3 (second).
    assert_eq!(
        listed(CaseFilter { open_clock_in: Some(vec![(second, "k".to_owned())]), ..all.clone() }),
        ["N-3"],
        "list: by open clock per deployment"
    );
    assert_eq!(
        listed(CaseFilter {
            active_in: Some(vec![(first, "b".to_owned())]),
            open_clock_in: Some(vec![(second, "k".to_owned()), (first, "gone".to_owned())]),
            ..all.clone()
        }),
        ["N-2", "N-3"],
        "list: by active state or open clock"
    );
    let level = |red: bool, as_of: &str, also: &[&str]| {
        Some(LevelFilter { red, as_of: as_of.to_owned(), also: also.iter().map(|id| (*id).to_owned()).collect() })
    };
    assert_eq!(
        listed(CaseFilter { level: level(false, "2026-03-15", &[]), ..all.clone() }),
        ["N-1"],
        "list: yellow by the date, and never from rows later than it"
    );
    assert_eq!(
        listed(CaseFilter { level: level(false, "2026-03-25", &[]), ..all.clone() }),
        ["N-1", "N-3"],
        "list: yellow"
    );
    assert_eq!(listed(CaseFilter { level: level(true, "2026-03-25", &[]), ..all.clone() }), ["N-1"], "list: red");
    assert_eq!(
        listed(CaseFilter { level: level(true, "2026-03-15", &["c3"]), ..all.clone() }),
        ["N-3"],
        "list: red, and the cases judged by the caller"
    );
    let opened = CaseFilter {
        opened_from: Some("2026-03-05".to_owned()),
        opened_to: Some("2026-03-09".to_owned()),
        ..all.clone()
    };
    assert_eq!(listed(opened), ["N-2", "N-3", "N-4"], "list: opened between two dates, both included");
    assert_eq!(listed(CaseFilter { finished: Some(true), ..all.clone() }), ["N-2"], "list: finished");
    assert_eq!(listed(CaseFilter { finished: Some(false), ..all.clone() }), ["M-1", "N-1", "N-3", "N-4"], "list: open");
    assert_eq!(
        listed(CaseFilter { limit: Some(2), offset: 1, ..all.clone() }),
        ["N-1", "N-2"],
        "list: a page by offset"
    );
    assert_eq!(
        listed(CaseFilter { limit: Some(2), after: Some("c1".to_owned()), ..all.clone() }),
        ["N-2", "N-3"],
        "list: a page after a cursor"
    );
    assert!(
        listed(CaseFilter { after: Some("nobody".to_owned()), ..all.clone() }).is_empty(),
        "list: an unknown cursor lists nothing"
    );
    assert_eq!(listed(CaseFilter { limit: Some(0), ..all }), Vec::<String>::new(), "list: an empty page");
}

fn imports_create_cases_skip_taken_numbers_and_are_all_or_nothing<S: Store>(store: &mut S) {
    let key = open(store, "c1", "N-1");
    let new_import = NewImport {
        imported_at: "2026-11-23T09:00:00+08:00".to_owned(),
        log: "log.csv".to_owned(),
        log_hash: "ab".to_owned(),
        deployment: key,
        as_of: None,
        accept_findings: true,
    };
    let imported = |id: &str, number: &str, findings: &[&str]| {
        Ok(ImportItem::Case(Box::new(ImportedCase {
            case: case(id, key, number),
            events: vec![event(0, "2026-03-02T09:00:00+08:00")],
            derived: derived(&[("a", Some("2026-03-10"))]),
            findings: findings.iter().map(|code| (*code).to_owned()).collect(),
        })))
    };
    let abandoned = store.import(
        &new_import,
        &mut [imported("c2", "N-2", &[]), Err("the log could not be read again".to_owned())].into_iter(),
    );
    assert!(matches!(abandoned, Err(StoreError::ImportAbandoned(_))), "import: an error abandons the import");
    assert!(store.case("c2").expect("read").is_none(), "import: an abandoned import creates no case");
    assert!(store.imports().expect("imports").is_empty(), "import: an abandoned import is not recorded");
    let row = store
        .import(
            &new_import,
            &mut [
                imported("c2", "N-2", &[]),
                imported("c3", "N-1", &[]),
                Ok(ImportItem::Refused),
                imported("c4", "N-4", &["AUD002"]),
            ]
            .into_iter(),
        )
        .expect("import");
    assert_eq!(
        (row.imported, row.with_findings, row.skipped, row.refused),
        (2, 1, 1, 1),
        "import: created, marked, skipped and refused counted"
    );
    assert!(store.case("c3").expect("read").is_none(), "import: a taken number is skipped, not overwritten");
    assert_eq!(store.events("c4").expect("events").len(), 1, "import: a case comes with its events");
    assert_eq!(store.open_clocks("c4").expect("clocks").len(), 1, "import: a case comes with its open clocks");
    let mark = store.import_mark("c4").expect("mark").expect("c4 was imported");
    assert_eq!((mark.import, mark.findings), (row.key, vec!["AUD002".to_owned()]), "import: the case is marked");
    assert_eq!(store.import_mark("c2").expect("mark").map(|mark| mark.findings.len()), Some(0));
    assert!(store.import_mark("c1").expect("mark").is_none(), "import: a case opened live has no mark");
    assert_eq!(store.imports().expect("imports"), [row], "import: recorded as made");
}

fn automatic_numbers_are_distinct_and_skip_chosen_ones<S: Store>(store: &mut S) {
    let first = store.reserve_case_number("w", "2026-").expect("reserve");
    assert_eq!(first, "2026-00001");
    // A number chosen by hand where the sequence would go next is skipped, not reused.
    open(store, "c1", "2026-00002");
    assert_eq!(store.reserve_case_number("w", "2026-").expect("reserve"), "2026-00003");
    // A number given out and not used is not given again.
    assert_eq!(store.reserve_case_number("w", "2026-").expect("reserve"), "2026-00004");
    assert_eq!(store.reserve_case_number("w", "2027-").expect("reserve"), "2027-00001", "one sequence per prefix");
    assert_eq!(store.reserve_case_number("v", "2026-").expect("reserve"), "2026-00001", "one per workflow");
}

fn a_snapshot_reads_one_state<S: Store>(store: &mut S) {
    open(store, "c1", "N-1");
    store.begin_snapshot().expect("begin");
    assert_eq!(store.cases().expect("cases").len(), 1);
    store.end_snapshot().expect("end");
    store.end_snapshot().expect("ending twice is harmless");
    assert!(store.orphan_events().expect("orphans").is_empty(), "no orphans in a sound store");
}

/// Case `c1` (from [`open`]) with one open clock `k`: yellow 03-10, prompt 03-18, red 03-20,
/// after an event of 03-03.
fn warned_clock<S: Store>(store: &mut S) -> OpenClockRow {
    open(store, "c1", "N-1");
    let clock = OpenClockRow {
        clock: "k".to_owned(),
        phase: "running".to_owned(),
        due_date: Some("2026-03-24".to_owned()),
        yellow_on: Some("2026-03-10".to_owned()),
        red_on: Some("2026-03-20".to_owned()),
        statutory_limit: Some("20 wd".to_owned()),
        promised_limit: Some("15 wd".to_owned()),
        prompt_on: Some("2026-03-18".to_owned()),
        promised_due_date: Some("2026-03-19".to_owned()),
        ..OpenClockRow::default()
    };
    let derived = Derived { configuration: "{}".to_owned(), finished_on: None, open_clocks: vec![clock.clone()] };
    let events = [event(1, "2026-03-03T09:00:00+08:00")];
    store
        .append(&Append {
            case_id: "c1",
            expected_version: 1,
            previous_head_hash: "h0",
            events: &events,
            head_hash: "h1",
            last_at: "2026-03-03T09:00:00+08:00",
            derived: &derived,
            open_clocks_changed: true,
            idempotency: None,
        })
        .expect("append");
    clock
}

fn warning(kind: &str, applies_on: &str) -> NewWarning {
    NewWarning {
        case_id: "c1".to_owned(),
        workflow: "w".to_owned(),
        number: "N-1".to_owned(),
        clock: "k".to_owned(),
        kind: kind.to_owned(),
        applies_on: applies_on.to_owned(),
        time_limit: Some("20 wd".to_owned()),
        due_date: Some("2026-03-24".to_owned()),
        set_by: Some("statutory".to_owned()),
    }
}

fn webhook(url: &str, kinds: &str) -> NewWebhook {
    NewWebhook {
        url: url.to_owned(),
        secret: "0123456789abcdef".to_owned(),
        kinds: kinds.to_owned(),
        created_at: "2026-03-01T09:00:00+08:00".to_owned(),
        created_by: "管理员".to_owned(),
    }
}

fn warnings_are_recorded_once_and_queued_for_the_webhooks_that_want_them<S: Store>(store: &mut S) {
    let clock = warned_clock(store);
    assert_eq!(store.open_clocks("c1").expect("clocks"), [clock], "warnings: the prompt date comes back as written");
    let unwarned = |store: &S, date: &str| store.open_clocks_unwarned(date, 10).expect("unwarned").len();
    assert_eq!(
        (unwarned(store, "2026-03-02"), unwarned(store, "2026-03-09"), unwarned(store, "2026-03-10")),
        (0, 0, 1)
    );
    let every = store.add_webhook(&webhook("http://a/", "prompt,yellow,red")).expect("add");
    store.add_webhook(&webhook("http://b/", "red")).expect("add");
    let gone = store.add_webhook(&webhook("http://c/", "prompt,yellow,red")).expect("add");
    assert!(store.remove_webhook(gone.id, "管理员", "2026-03-02T09:00:00+08:00").expect("remove").1);
    let (again, removed) = store.remove_webhook(gone.id, "其他人", "2026-03-05T09:00:00+08:00").expect("remove");
    assert!(!removed && again.removed_by.as_deref() == Some("管理员"), "warnings: a webhook is removed once");
    assert!(matches!(
        store.remove_webhook(99, "管理员", "2026-03-02T09:00:00+08:00"),
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(store.webhooks().expect("webhooks").len(), 3);
    let yellow = warning("yellow", "2026-03-10");
    let issued = "2026-03-10T08:00:00+08:00";
    let recorded =
        store.record_warnings(&[yellow.clone(), yellow.clone()], issued, "2026-03-10T00:00:00Z").expect("record");
    assert_eq!(recorded.len(), 1, "warnings: one per crossing, even twice in one call");
    assert_eq!((&recorded[0].warning, recorded[0].issued_at.as_str()), (&yellow, issued));
    assert!(store.record_warnings(&[yellow], issued, "2026-03-10T00:00:00Z").expect("record").is_empty());
    assert_eq!(unwarned(store, "2026-03-17"), 0, "warnings: a recorded crossing is not listed again");
    assert_eq!(unwarned(store, "2026-03-18"), 1, "warnings: the prompt is not recorded yet");
    let red = store.record_warnings(&[warning("red", "2026-03-20")], issued, "2026-03-20T00:00:00Z").expect("record");
    let listed = |filter: WarningFilter| store.warnings(&filter).expect("warnings").len();
    assert_eq!(listed(WarningFilter::default()), 2);
    assert_eq!(listed(WarningFilter { kind: Some("red".to_owned()), ..WarningFilter::default() }), 1);
    assert_eq!(listed(WarningFilter { since: Some("2026-03-15".to_owned()), ..WarningFilter::default() }), 1);
    assert_eq!(listed(WarningFilter { after: Some(recorded[0].id), ..WarningFilter::default() }), 1);
    assert_eq!(listed(WarningFilter { case_id: Some("c2".to_owned()), ..WarningFilter::default() }), 0);
    assert_eq!(listed(WarningFilter { limit: Some(1), offset: 1, ..WarningFilter::default() }), 1);
    let deliveries = store.deliveries(&DeliveryFilter::default()).expect("deliveries");
    let targets: Vec<(i64, &str)> =
        deliveries.iter().map(|delivery| (delivery.warning, delivery.url.as_str())).collect();
    assert_eq!(targets, [(recorded[0].id, "http://a/"), (red[0].id, "http://a/"), (red[0].id, "http://b/")]);
    assert!(deliveries.iter().all(|delivery| delivery.status == "pending" && delivery.attempts == 0));
    assert!(every.id < gone.id);
}

fn deliveries_are_claimed_leased_and_logged<S: Store>(store: &mut S) {
    warned_clock(store);
    let hook = store.add_webhook(&webhook("http://a/", "yellow")).expect("add");
    let issued = "2026-03-10T09:00:00+08:00";
    let recorded =
        store.record_warnings(&[warning("yellow", "2026-03-10")], issued, "2026-03-10T01:00:00Z").expect("record");
    let lease = "2026-03-10T01:05:00Z";
    assert!(
        store.claim_deliveries("2026-03-10T00:59:59Z", lease, 10).expect("claim").is_empty(),
        "deliveries: not due yet"
    );
    let claimed = store.claim_deliveries("2026-03-10T01:00:00Z", lease, 10).expect("claim");
    assert_eq!(claimed.len(), 1);
    assert_eq!((claimed[0].attempt, &claimed[0].warning, &claimed[0].webhook), (1, &recorded[0], &hook));
    assert!(store.claim_deliveries("2026-03-10T01:00:00Z", lease, 10).expect("claim").is_empty(), "deliveries: leased");
    let delivery = claimed[0].delivery;
    let attempt = |status, http_status, next_attempt_at| NewDeliveryAttempt {
        delivery,
        at: "2026-03-10T09:00:00+08:00",
        http_status,
        error: None,
        duration_ms: 5,
        status,
        next_attempt_at,
    };
    store.record_delivery_attempt(&attempt("pending", Some(500), Some("2026-03-10T01:00:10Z"))).expect("record");
    assert!(store.claim_deliveries("2026-03-10T01:00:09Z", lease, 10).expect("claim").is_empty());
    let retried = store.claim_deliveries("2026-03-10T01:00:10Z", lease, 10).expect("claim");
    assert_eq!(retried.iter().map(|due| due.attempt).collect::<Vec<_>>(), [2], "deliveries: the next attempt");
    store.record_delivery_attempt(&attempt("delivered", Some(200), None)).expect("record");
    store.record_delivery_attempt(&attempt("failed", None, None)).expect("record a late attempt");
    let listed = store.deliveries(&DeliveryFilter::default()).expect("deliveries");
    assert_eq!((listed[0].status.as_str(), listed[0].attempts, &listed[0].next_attempt_at), ("delivered", 3, &None));
    let log: Vec<(u64, Option<u16>)> =
        listed[0].attempt_log.iter().map(|logged| (logged.attempt, logged.http_status)).collect();
    assert_eq!(log, [(1, Some(500)), (2, Some(200)), (3, None)], "deliveries: every attempt, delivered stays so");
    let missing = NewDeliveryAttempt { delivery: 999, ..attempt("failed", None, None) };
    assert!(matches!(store.record_delivery_attempt(&missing), Err(StoreError::NotFound { .. })));
    let failed = DeliveryFilter { status: Some("failed".to_owned()), ..DeliveryFilter::default() };
    assert!(store.deliveries(&failed).expect("deliveries").is_empty());
    let by_warning = DeliveryFilter { warning: Some(recorded[0].id + 1), ..DeliveryFilter::default() };
    assert!(store.deliveries(&by_warning).expect("deliveries").is_empty());
    store.remove_webhook(hook.id, "管理员", "2026-03-11T09:00:00+08:00").expect("remove");
    store.record_warnings(&[warning("yellow", "2026-03-11")], issued, "2026-03-11T00:00:00Z").expect("record");
    assert_eq!(
        store.deliveries(&DeliveryFilter::default()).expect("deliveries").len(),
        1,
        "deliveries: none to a removed webhook"
    );
}
