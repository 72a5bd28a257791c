//! The web pages over plain HTTP (the browser tests are in `web_browser.rs`): signing in and out
//! with the form tokens, the cookies' flags, the security headers, and what a key may see.

use std::collections::BTreeMap;

use super::serve_cases::key;
use super::serve_harness::{Server, cli};

/// A demo store (seven dated cases, one of them past its limit) served on its as-of date, with
/// an administrator's key and a supervisor's key for the Longgang workflow only.
pub(crate) fn demo_server() -> (tempfile::TempDir, Server, String, String) {
    let directory = tempfile::tempdir().unwrap();
    let db = directory.path().join("cases.db");
    cli(&db, &["demo"]);
    let admin = key(&db, &["--name", "admin", "--admin", "--grant", "administrative-license:officer,head"]);
    let supervisor =
        key(&db, &["--name", "监察员", "--organ", "龙岗区监察室", "--supervisor", "--grant", "longgang-renewal"]);
    let clock = directory.path().join("now.txt");
    std::fs::write(&clock, "2017-09-29T09:00:00+08:00\n").unwrap();
    let server = Server::start(&db, &["--clock-file", clock.to_str().unwrap()]);
    (directory, server, admin, supervisor)
}

/// A browser without a browser: it keeps cookies and does not follow redirects.
pub(crate) struct Visit<'a> {
    server: &'a Server,
    agent: ureq::Agent,
    cookies: BTreeMap<String, String>,
}

/// An answer to a page request.
#[derive(Debug)]
pub(crate) struct Page {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: String,
}

impl Page {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str())
    }

    pub(crate) fn set_cookies(&self) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(key, _)| key.eq_ignore_ascii_case("set-cookie"))
            .map(|(_, value)| value.as_str())
            .collect()
    }

    /// The value of the hidden form field `name`.
    pub(crate) fn field(&self, name: &str) -> String {
        let marker = format!("name=\"{name}\" value=\"");
        let start =
            self.body.find(&marker).unwrap_or_else(|| panic!("no field `{name}` in {}", self.body)) + marker.len();
        self.body[start..].split('"').next().unwrap().to_owned()
    }
}

impl<'a> Visit<'a> {
    pub(crate) fn new(server: &'a Server) -> Visit<'a> {
        let agent: ureq::Agent =
            ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).build().into();
        Visit { server, agent, cookies: BTreeMap::new() }
    }

    fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(name, value)| format!("{name}={value}")).collect::<Vec<_>>().join("; ")
    }

    fn keep(&mut self, page: &Page) {
        for cookie in page.set_cookies() {
            let pair = cookie.split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                if value.is_empty() {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_owned(), value.to_owned());
                }
            }
        }
    }

    pub(crate) fn get(&mut self, path: &str) -> Page {
        let mut request = self.agent.get(format!("{}{path}", self.server.base));
        if !self.cookies.is_empty() {
            request = request.header("Cookie", self.cookie_header());
        }
        let page = page(request.call());
        self.keep(&page);
        page
    }

    pub(crate) fn post(&mut self, path: &str, form: &[(&str, &str)], extra: &[(&str, &str)]) -> Page {
        let mut request = self.agent.post(format!("{}{path}", self.server.base));
        if !self.cookies.is_empty() {
            request = request.header("Cookie", self.cookie_header());
        }
        for (name, value) in extra {
            request = request.header(*name, *value);
        }
        let page = page(request.send_form(form.iter().copied()));
        self.keep(&page);
        page
    }

    /// Signs in with `token`; the page it was sent to.
    pub(crate) fn sign_in(&mut self, token: &str) -> Page {
        let form = self.get("/sign-in?back=/watch");
        let csrf = form.field("csrf");
        self.post("/sign-in", &[("key", token), ("csrf", &csrf), ("back", "/watch")], &[])
    }
}

fn page(result: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Page {
    let mut response = result.expect("the server answers");
    let headers = response
        .headers()
        .iter()
        .map(|(name, value)| (name.as_str().to_owned(), value.to_str().unwrap_or_default().to_owned()))
        .collect();
    let status = response.status().as_u16();
    let body = response.body_mut().read_to_string().unwrap_or_default();
    Page { status, headers, body }
}

#[test]
fn pages_need_a_session_from_a_key_and_every_answer_carries_a_strict_policy() {
    let (_directory, server, admin, _supervisor) = demo_server();
    let mut visit = Visit::new(&server);
    let away = visit.get("/watch?level=red");
    assert_eq!((away.status, away.header("location")), (303, Some("/sign-in?back=/watch%3Flevel%3Dred")));
    let form = visit.get("/sign-in?back=/watch");
    assert_eq!(form.status, 200);
    let policy = form.header("content-security-policy").unwrap();
    for directive in
        ["default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "form-action 'self'"]
    {
        assert!(policy.contains(directive), "{policy}");
    }
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    assert_eq!(form.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(form.header("cache-control"), Some("no-store"));
    assert!(!form.body.contains("<script>") && !form.body.contains(" style="), "no inline script or style");
    assert!(form.body.contains("<label for=\"key\">"), "the key's field is labelled");
    // The form token: without it, or with another, nothing is signed in.
    let refused = visit.post("/sign-in", &[("key", &admin), ("csrf", "forged"), ("back", "/watch")], &[]);
    assert_eq!(refused.status, 403);
    assert!(refused.set_cookies().iter().all(|cookie| !cookie.starts_with("renewflow_session=")), "{refused:?}");
    let csrf = refused.field("csrf");
    let wrong = visit.post("/sign-in", &[("key", "rfk_not-a-key"), ("csrf", &csrf), ("back", "/watch")], &[]);
    assert_eq!(wrong.status, 401);
    assert!(wrong.body.contains("密钥无效或已吊销"), "{}", wrong.body);
    // Signed in: the session cookie is HttpOnly and SameSite=Strict, Secure behind TLS.
    let csrf = wrong.field("csrf");
    let signed_in = visit.post(
        "/sign-in",
        &[("key", &admin), ("csrf", &csrf), ("back", "//evil.example/")],
        &[("X-Forwarded-Proto", "https")],
    );
    assert_eq!((signed_in.status, signed_in.header("location")), (303, Some("/watch")), "never sent off-site");
    let session = signed_in.set_cookies().into_iter().find(|cookie| cookie.starts_with("renewflow_session=")).unwrap();
    for flag in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
        assert!(session.contains(flag), "{session}");
    }
    let watch = visit.get("/watch");
    assert_eq!(watch.status, 200, "{watch:?}");
    assert!(watch.body.contains("LG-2017-005") && watch.body.contains("红牌"), "the red case, in words");
    // Signing out needs the session's form token, then ends the session.
    assert_eq!(visit.post("/sign-out", &[("csrf", "forged")], &[]).status, 403);
    assert_eq!(visit.get("/watch").status, 200, "a forged sign-out changed nothing");
    let csrf = watch.field("csrf");
    let out = visit.post("/sign-out", &[("csrf", &csrf)], &[]);
    assert_eq!((out.status, out.header("location")), (303, Some("/sign-in")));
    assert_eq!(visit.get("/watch").status, 303, "signed out");
}

#[test]
fn a_revoked_key_ends_its_sessions_and_a_supervisor_sees_only_its_workflows() {
    let (_directory, server, admin, supervisor) = demo_server();
    let mut watching = Visit::new(&server);
    assert_eq!(watching.sign_in(&supervisor).status, 303);
    let watch = watching.get("/watch");
    assert!(watch.body.contains("LG-2017-005"), "its workflow's red case");
    assert!(!watch.body.contains("XK-2017-001"), "not the licence's yellow case");
    assert!(watch.body.contains("监察员 (龙岗区监察室)"), "who is signed in, and their organ");
    // The licence case, by number, is not there for this key.
    let other = watching.get("/cases/XK-2017-001");
    assert_eq!(other.status, 404, "{}", other.body);
    assert!(!other.body.contains("decision"), "nothing of it is shown");
    let mut admin_visit = Visit::new(&server);
    admin_visit.sign_in(&admin);
    let licence = admin_visit.get("/cases/XK-2017-001");
    assert_eq!(licence.status, 200);
    assert!(licence.body.contains("许可决定") || licence.body.contains("decision"), "{}", licence.body);
    // The supervisor's key revoked on the command line: its session ends within the key log's poll.
    let keys = cli(&server.db, &["key", "list", "--format", "json"]);
    let keys: serde_json::Value = serde_json::from_str(&keys).unwrap();
    let id =
        keys.as_array().unwrap().iter().find(|key| key["name"] == "监察员").unwrap()["id"].as_str().unwrap().to_owned();
    cli(&server.db, &["key", "revoke", &id, "--actor", "admin"]);
    let started = std::time::Instant::now();
    while watching.get("/watch").status == 200 {
        assert!(started.elapsed() < std::time::Duration::from_secs(5), "the revoked key's session still reads");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(watching.get("/watch").status, 303);
}

#[test]
fn a_note_with_markup_is_shown_as_text_and_the_language_switches() {
    let (_directory, server, admin, _supervisor) = demo_server();
    let note = "<script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned'\">";
    let version = server.get("/v1/cases/XK-2017-001", Some(&admin)).header("etag").unwrap().to_owned();
    let noted = server.post(
        "/v1/cases/XK-2017-001/notes",
        Some(&admin),
        &[("If-Match", &version), ("Idempotency-Key", "note-markup")],
        &serde_json::json!({"text": note, "role": "officer", "at": "2017-09-29T10:00:00+08:00"}),
    );
    assert_eq!(noted.status, 200, "{noted:?}");
    let mut visit = Visit::new(&server);
    visit.sign_in(&admin);
    let case = visit.get("/cases/XK-2017-001");
    assert_eq!(case.status, 200);
    assert!(!case.body.contains("<script>document"), "the note is not markup");
    assert!(
        case.body.contains("&#60;script&#62;document.title=") || case.body.contains("&lt;script&gt;document.title="),
        "the note is shown as text"
    );
    let switched = visit.get("/language/en?back=/cases/XK-2017-001");
    assert_eq!((switched.status, switched.header("location")), (303, Some("/cases/XK-2017-001")));
    let english = visit.get("/cases/XK-2017-001");
    assert!(english.body.contains("<html lang=\"en\">") && english.body.contains("Timeline"), "{}", english.body);
    assert!(english.body.contains("(Fri)") || english.body.contains("(Thu)"), "dates carry an English weekday");
}

#[test]
fn an_action_posted_from_a_page_needs_its_form_token_and_a_refusal_gives_the_engines_reason() {
    let (_directory, server, admin, supervisor) = demo_server();
    let mut visit = Visit::new(&server);
    visit.sign_in(&admin);
    let work = visit.get("/work");
    assert_eq!(work.status, 200);
    assert!(work.body.contains("XK-2017-001") && work.body.contains("order_hearing"), "{}", work.body);
    let csrf = work.field("csrf");
    let version =
        server.get("/v1/cases/XK-2017-001", Some(&admin)).header("etag").unwrap().trim_matches('"').to_owned();
    let post = |visit: &mut Visit<'_>, csrf: &str, action: &str, role: &str, key: &str| {
        visit.post(
            "/cases/XK-2017-001/act",
            &[("csrf", csrf), ("action", action), ("role", role), ("version", &version), ("key", key), ("note", "")],
            &[],
        )
    };
    let forged = post(&mut visit, "forged", "order_hearing", "officer", "k1");
    assert_eq!(forged.status, 403);
    // An action the case does not offer here: the engine's refusal, in its words.
    let refused = post(&mut visit, &csrf, "issue_certificate", "officer", "k2");
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert!(refused.body.contains("未能办理") && refused.body.contains("issue_certificate"), "{}", refused.body);
    let ungranted = post(&mut visit, &csrf, "withdraw", "applicant", "k3");
    assert_eq!(ungranted.status, 403, "a role the key lacks: {}", ungranted.body);
    assert_eq!(
        server.get("/v1/cases/XK-2017-001", Some(&admin)).header("etag").unwrap().trim_matches('"'),
        version,
        "nothing written"
    );
    // The same form sent twice (a double click) writes once.
    let acted = post(&mut visit, &csrf, "order_hearing", "officer", "k4");
    assert_eq!(acted.status, 303, "{}", acted.body);
    let again = post(&mut visit, &csrf, "order_hearing", "officer", "k4");
    assert_eq!(again.status, 303, "the retry gets the first answer: {}", again.body);
    let history = server.get("/v1/cases/XK-2017-001/history", Some(&admin)).json();
    assert_eq!(history["version"].as_u64(), Some(version.parse::<u64>().unwrap() + 1));
    // A supervisor is told it does not act, and has nothing to act on.
    let mut watching = Visit::new(&server);
    watching.sign_in(&supervisor);
    let nothing = watching.get("/work");
    assert!(nothing.body.contains("监察密钥只能查看"), "{}", nothing.body);
}

#[test]
fn the_calendar_page_shows_every_day_of_a_year_as_the_calendar_counts_it() {
    let (_directory, server, admin, _supervisor) = demo_server();
    let mut visit = Visit::new(&server);
    visit.sign_in(&admin);
    let page = visit.get("/calendar?year=2026");
    assert_eq!(page.status, 200, "{}", page.body);
    let year = server.get("/v1/calendars/cn-mainland/years/2026", Some(&admin)).json();
    let cells = |class: &str| page.body.matches(&format!("class=\"day {class}")).count() as u64;
    assert_eq!(cells("work") + cells("makeup"), year["working_days"].as_u64().unwrap());
    assert_eq!(cells("rest") + cells("holiday"), year["rest_days"].as_u64().unwrap());
    assert!(cells("holiday") > 0 && cells("makeup") > 0, "2026 has holidays and makeup days");
    // Words as well as colours: each holiday and makeup day carries its mark.
    assert_eq!(page.body.matches("<span class=\"mark\">休</span>").count() as u64, cells("holiday"));
    assert_eq!(page.body.matches("<span class=\"mark\">班</span>").count() as u64, cells("makeup"));
    let notice = year["notices"][0]["title"].as_str().unwrap();
    assert!(page.body.contains(notice), "the year's notice: {notice}");
    // A year beyond the notices is projected from the law (the store's policy), and says so.
    let beyond = visit.get("/calendar?year=2031");
    assert_eq!(beyond.status, 200, "{}", beyond.body);
    assert!(
        beyond.body.contains("id=\"provisional-year\"") && beyond.body.contains("provisional-day"),
        "{}",
        beyond.body
    );
    assert!(!page.body.contains("id=\"provisional-year\""), "2026 rests on its notice");
    // A year before the data is an error, never a guess.
    let before = visit.get("/calendar?year=1990");
    assert_eq!(before.status, 422, "{}", before.body);
    assert_eq!(visit.get("/calendar?calendar=atlantis").status, 404);
}

/// The rows of a CSV answer (its byte-order mark dropped), split on commas (no cell here
/// holds one).
fn csv_rows(body: &str) -> Vec<Vec<String>> {
    let body = body.strip_prefix('\u{feff}').expect("a byte-order mark for spreadsheet programs");
    body.lines().map(|line| line.split(',').map(str::to_owned).collect()).collect()
}

fn number(cell: &str) -> u64 {
    cell.parse().unwrap_or_else(|_| panic!("`{cell}` is not a count"))
}

#[test]
fn supervision_statistics_count_each_stop_once_and_export_what_the_page_shows() {
    let directory = tempfile::tempdir().unwrap();
    let db = directory.path().join("cases.db");
    cli(&db, &["demo"]);
    // The demo's bureau steps are recorded as `bureau-demo`: a key of that name gives its organ.
    key(&db, &["--name", "bureau-demo", "--organ", "龙岗区城市更新局", "--grant", "longgang-renewal:bureau"]);
    let supervisor = key(&db, &["--name", "监察员", "--supervisor", "--grant", "longgang-renewal"]);
    let clock = directory.path().join("now.txt");
    std::fs::write(&clock, "2017-09-29T09:00:00+08:00\n").unwrap();
    let server = Server::start(&db, &["--clock-file", clock.to_str().unwrap()]);
    let mut visit = Visit::new(&server);
    assert_eq!(visit.sign_in(&supervisor).status, 303);

    let page = visit.get("/statistics?year=2017&by=quarter&group=organ");
    assert_eq!(page.status, 200, "{}", page.body);
    for label in ["<label for=\"year\">", "<label for=\"by\">", "<label for=\"group\">", "<label for=\"workflow\">"] {
        assert!(page.body.contains(label), "every control labelled: {label}");
    }
    assert!(page.body.contains("龙岗区城市更新局") && page.body.contains("（未登记）"), "{}", page.body);
    let organs = csv_rows(&visit.get("/statistics.csv?year=2017&by=quarter&group=organ&table=groups").body);
    assert_eq!(organs[0][..4], ["period", "organ", "cases_handled", "clocks_finished"]);
    let clocks_csv = visit.get("/statistics.csv?year=2017&by=quarter&group=organ&table=clocks");
    assert_eq!(clocks_csv.header("content-type"), Some("text/csv; charset=utf-8"));
    assert!(clocks_csv.header("content-disposition").unwrap().contains("statistics-2017-quarter-clocks.csv"));
    let clocks = csv_rows(&clocks_csv.body);
    assert!(clocks.len() > 1, "clocks finished in 2017");
    // The supervisor of the renewal workflow counts none of the licence's clocks.
    assert!(clocks[1..].iter().all(|row| row[1] == "longgang-renewal"), "{clocks:?}");
    // Each stop is counted for exactly one organ, and every one is in the per-clock table; the
    // same for cards.
    for period in ["2017-Q1", "2017-Q2", "2017-Q3"] {
        let sum = |rows: &[Vec<String>], column: usize| -> u64 {
            rows[1..].iter().filter(|row| row[0] == period).map(|row| number(&row[column])).sum()
        };
        assert_eq!(sum(&organs, 3), sum(&clocks, 5), "clocks finished in {period}");
        assert!(sum(&organs, 4) <= sum(&organs, 3));
    }
    // One key holds the organ: its handler's figures are the organ's.
    let handlers = csv_rows(&visit.get("/statistics.csv?year=2017&by=quarter&group=handler").body);
    for organ_row in organs[1..].iter().filter(|row| row[1] == "龙岗区城市更新局") {
        let handler_row = handlers[1..]
            .iter()
            .find(|row| row[0] == organ_row[0] && row[1] == "bureau-demo")
            .unwrap_or_else(|| panic!("bureau-demo in {}", organ_row[0]));
        assert_eq!(handler_row[2..9], organ_row[2..9], "{}", organ_row[0]);
    }
    // The page shows what the CSV holds.
    let first = &organs[1];
    assert!(page.body.contains(&format!("<td class=\"number\">{}</td>", first[2])), "{first:?}");
    // Months are periods too; a wrong choice is refused with the reason.
    let months = csv_rows(&visit.get("/statistics.csv?year=2017&by=month&group=role").body);
    assert!(months[1..].iter().all(|row| row[0].len() == 7 && row[0].starts_with("2017-")), "{months:?}");
    assert!(months[1..].iter().all(|row| !row[1].is_empty()), "an opening counts for no role");
    // Counted once per change of the store: a note written meanwhile (by another process) is
    // counted on the next request.
    let before = visit.get("/statistics.csv?year=2017&by=quarter&group=handler").body;
    assert!(!before.contains("新承办人"));
    cli(
        &db,
        &[
            "case",
            "note",
            "LG-2017-005",
            "核查现场",
            "--role",
            "bureau",
            "--actor",
            "新承办人",
            "--at",
            "2017-09-28T10:00:00+08:00",
        ],
    );
    let after = csv_rows(&visit.get("/statistics.csv?year=2017&by=quarter&group=handler").body);
    let noted = after.iter().find(|row| row[1] == "新承办人").expect("the note's handler");
    assert_eq!((noted[0].as_str(), noted[2].as_str()), ("2017-Q3", "1"), "{noted:?}");
    let wrong = visit.get("/statistics?year=2017&group=building");
    assert_eq!(wrong.status, 422);
    assert!(wrong.body.contains("unknown grouping `building`"), "{}", wrong.body);
    let other = visit.get("/statistics?year=2017&workflow=administrative-license");
    assert_eq!(other.status, 403, "{}", other.body);
}

#[test]
fn the_watch_list_filters_by_the_role_and_the_organ_a_case_waits_on() {
    let directory = tempfile::tempdir().unwrap();
    let db = directory.path().join("cases.db");
    cli(&db, &["demo"]);
    key(&db, &["--name", "国土承办人", "--organ", "市规土委龙岗管理局", "--grant", "longgang-renewal:land_office"]);
    let supervisor = key(&db, &["--name", "监察员", "--supervisor", "--grant", "longgang-renewal"]);
    let clock = directory.path().join("now.txt");
    std::fs::write(&clock, "2017-09-29T09:00:00+08:00\n").unwrap();
    let server = Server::start(&db, &["--clock-file", clock.to_str().unwrap()]);
    let everything = server.get("/v1/watch?as_of=2017-09-29", Some(&supervisor)).json();
    let rows = everything["rows"].as_array().unwrap();
    let waiting = |role: &str| -> Vec<String> {
        rows.iter()
            .filter(|row| row["waiting_on"].as_array().unwrap().iter().any(|held| held == role))
            .map(|row| format!("{}/{}", row["number"].as_str().unwrap(), row["clock"].as_str().unwrap()))
            .collect()
    };
    let on_land_office = waiting("land_office");
    assert!(!on_land_office.is_empty() && on_land_office.len() < rows.len(), "{everything}");
    // Through the API: by role, and by the organ whose key holds that role.
    for filter in
        ["role=land_office", "organ=%E5%B8%82%E8%A7%84%E5%9C%9F%E5%A7%94%E9%BE%99%E5%B2%97%E7%AE%A1%E7%90%86%E5%B1%80"]
    {
        let filtered = server.get(&format!("/v1/watch?as_of=2017-09-29&{filter}"), Some(&supervisor)).json();
        let shown: Vec<String> = filtered["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| format!("{}/{}", row["number"].as_str().unwrap(), row["clock"].as_str().unwrap()))
            .collect();
        assert_eq!(shown, on_land_office, "{filter}");
    }
    // On the page: the same rows, the filters labelled, the organ offered.
    let mut visit = Visit::new(&server);
    visit.sign_in(&supervisor);
    let page = visit.get("/watch?as_of=2017-09-29&organ=%E5%B8%82%E8%A7%84%E5%9C%9F%E5%A7%94%E9%BE%99%E5%B2%97%E7%AE%A1%E7%90%86%E5%B1%80");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<label for=\"role\">") && page.body.contains("<label for=\"organ\">"));
    assert!(page.body.contains("<option value=\"市规土委龙岗管理局\" selected>"), "{}", page.body);
    assert_eq!(page.body.matches("<tr class=\"level-").count(), on_land_office.len());
    let by_role = visit.get("/watch?as_of=2017-09-29&role=bureau");
    assert_eq!(by_role.body.matches("<tr class=\"level-").count(), waiting("bureau").len());
}

#[test]
fn my_work_lists_a_case_whose_only_step_for_the_key_is_an_extension() {
    let directory = tempfile::tempdir().unwrap();
    let db = directory.path().join("cases.db");
    let admin = super::serve_cases::admin_token(&db);
    let head = key(&db, &["--name", "负责人", "--grant", "administrative-license:head"]);
    let server = Server::start(&db, &[]);
    super::serve_cases::open_licence(&server, &admin, "XK-9");
    for (version, action, at) in
        [(1, "accept", "2026-09-22T10:00:00+08:00"), (2, "order_hearing", "2026-09-24T10:00:00+08:00")]
    {
        let body = serde_json::json!({"action": action, "role": "officer", "at": at});
        let acted = server.post(
            "/v1/cases/XK-9/actions",
            Some(&admin),
            &[("If-Match", &format!("\"{version}\"")), ("Idempotency-Key", action)],
            &body,
        );
        assert_eq!(acted.status, 200, "{acted:?}");
    }
    // In the hearing, the head has no transition; the decision clock is open (paused), and the
    // head may extend it.
    let mut visit = Visit::new(&server);
    visit.sign_in(&head);
    let work = visit.get("/work");
    assert_eq!(work.status, 200);
    assert!(work.body.contains("XK-9"), "{}", work.body);
    assert!(work.body.contains("extend_decision"), "{}", work.body);
    assert!(!work.body.contains("value=\"close_hearing\""), "the officer's step is not the head's");
}

#[test]
fn the_workflows_pages_show_only_the_keys_workflows_with_their_clocks_and_diagram() {
    let (_directory, server, admin, supervisor) = demo_server();
    let mut watching = Visit::new(&server);
    watching.sign_in(&supervisor);
    let list = watching.get("/workflows");
    assert_eq!(list.status, 200);
    assert!(list.body.contains("/workflows/longgang-renewal/2017.1"), "{}", list.body);
    assert!(!list.body.contains("administrative-license"), "not this supervisor's workflow");
    let other = watching.get("/workflows/administrative-license/2019.1");
    assert_eq!(other.status, 404, "another workflow's version is not there for this key");
    let compared = watching.get("/workflows/compare?workflow=administrative-license&base=2019.1&reform=2019.1");
    assert_eq!(compared.status, 404);
    assert_eq!(watching.get("/workflows/longgang-renewal/2099.1").status, 404);
    let mut administering = Visit::new(&server);
    administering.sign_in(&admin);
    let licence = administering.get("/workflows/administrative-license/2019.1");
    assert_eq!(licence.status, 200);
    // Each clock with its limit and basis; the diagram names every top-level state.
    assert!(licence.body.contains("id=\"clock-decision\"") && licence.body.contains("行政许可法 第42条第1款"));
    assert!(licence.body.contains("<svg") && licence.body.contains("(withdrawn)</title>"), "{}", licence.body);
    assert!(licence.body.contains("extend_decision"), "its extension");
    let missing = administering.get("/workflows/compare?workflow=administrative-license&base=2019.1");
    assert_eq!(missing.status, 422);
}
