//! The web pages in a real browser (headless Chromium over WebDriver, `browser.rs`): signing in,
//! the watch list and a case's clock bars, the Content-Security-Policy against a note with a
//! script, live updates when a clock turns red, and what a supervisor may see. Each test saves
//! screenshots under `target/screenshots/`.

use std::time::{Duration, Instant};

use fantoccini::Locator;

use super::browser::{browser, screenshot, sign_in, wait_for};
use super::serve_harness::Server;
use super::web_pages::demo_server;

/// The timing API's figures for a case's clock: elapsed and statutory limit.
fn api_figures(server: &Server, token: &str, case: &str, clock: &str) -> (i64, String) {
    let timing = server.get(&format!("/v1/cases/{case}/timing?as_of=2017-09-29"), Some(token)).json();
    let clock = timing["clocks"].as_array().unwrap().iter().find(|shown| shown["clock"] == clock).unwrap().clone();
    (clock["elapsed"].as_i64().unwrap(), clock["limit"].as_str().unwrap().to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_signs_in_sees_the_red_case_and_reads_its_clock_bars() {
    let (_directory, server, admin, supervisor) = demo_server();
    let client = browser(1280).await;
    sign_in(&client, &server.base, &supervisor).await;
    let title = wait_for(&client, "h1", |text| text.contains("时限监察")).await;
    assert_eq!(title, "时限监察");
    // The red case, with its card in words, most urgent first.
    let first = wait_for(&client, "table.watch tbody tr", |_| true).await;
    assert!(first.contains("LG-2017-005") && first.contains("红牌"), "{first}");
    assert!(!client.source().await.unwrap().contains("XK-2017-001"), "the licence is not this supervisor's");
    screenshot(&client, "watch-supervisor-1280").await;
    // Keyboard only: Tab from the top of the page reaches the first case link (past the skip
    // link, the navigation and the filters), and Enter opens it.
    let mut reached = false;
    for _ in 0..30 {
        let focused = client.active_element().await.unwrap();
        focused.send_keys("\u{E004}").await.unwrap();
        let now = client.active_element().await.unwrap();
        let href = now.attr("href").await.unwrap().unwrap_or_default();
        if href.starts_with("/cases/") {
            now.send_keys("\u{E007}").await.unwrap();
            reached = true;
            break;
        }
    }
    assert!(reached, "no case link within 30 presses of Tab");
    wait_for(&client, "h1", |text| text.contains("LG-2017-005")).await;
    let bar = client.find(Locator::Css("section.clock[data-clock='plan_stage']")).await.unwrap();
    let elapsed: i64 = bar.attr("data-elapsed").await.unwrap().unwrap().parse().unwrap();
    let figures = bar.find(Locator::Css(".figures")).await.unwrap().text().await.unwrap();
    let (api_elapsed, api_limit) = api_figures(&server, &admin, "LG-2017-005", "plan_stage");
    assert_eq!(elapsed, api_elapsed, "the page's figures are the engine's");
    assert!(figures.contains(&format!("{api_elapsed} 个工作日")) && figures.contains(&api_limit), "{figures}");
    let card = bar.find(Locator::Css(".card")).await.unwrap().text().await.unwrap();
    assert_eq!(card, "红牌", "red is a word as well as a colour");
    let chain = client.find(Locator::Css("#chain")).await.unwrap().text().await.unwrap();
    assert!(chain.contains('✓'), "{chain}");
    screenshot(&client, "case-red-1280").await;
    // A phone-width screen shows the same case.
    client.set_window_size(390, 900).await.unwrap();
    client.refresh().await.unwrap();
    wait_for(&client, "h1", |text| text.contains("LG-2017-005")).await;
    screenshot(&client, "case-red-390").await;
    client.goto(&format!("{}/watch", server.base)).await.unwrap();
    wait_for(&client, "table.watch", |_| true).await;
    screenshot(&client, "watch-supervisor-390").await;
    client.set_window_size(1280, 1000).await.unwrap();
    client.goto(&format!("{}/calendar?year=2026", server.base)).await.unwrap();
    wait_for(&client, "#year-counts", |text| text.contains("工作日")).await;
    screenshot(&client, "calendar-2026").await;
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_policy_blocks_a_script_written_into_a_note_which_shows_as_text() {
    let (_directory, server, admin, _supervisor) = demo_server();
    let version = server.get("/v1/cases/XK-2017-001", Some(&admin)).header("etag").unwrap().to_owned();
    let note = "<script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned'\">";
    let noted = server.post(
        "/v1/cases/XK-2017-001/notes",
        Some(&admin),
        &[("If-Match", &version), ("Idempotency-Key", "note-script")],
        &serde_json::json!({"text": note, "role": "officer", "at": "2017-09-29T10:00:00+08:00"}),
    );
    assert_eq!(noted.status, 200, "{noted:?}");
    let client = browser(1280).await;
    sign_in(&client, &server.base, &admin).await;
    client.goto(&format!("{}/cases/XK-2017-001", server.base)).await.unwrap();
    let timeline = wait_for(&client, "table.timeline", |text| text.contains("pwned")).await;
    assert!(timeline.contains("<script>document.title='pwned'</script>"), "the note, as text: {timeline}");
    // Even a script that got into the page could not run: the policy allows this site's files only.
    client
        .execute("var s = document.createElement('script'); s.textContent = \"document.title='pwned'\"; document.body.appendChild(s);", vec![])
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let title = client.title().await.unwrap();
    assert!(!title.contains("pwned"), "{title}");
    assert!(title.contains("XK-2017-001"), "{title}");
    screenshot(&client, "case-note-markup").await;
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_watch_list_follows_a_clock_turning_red_without_a_reload() {
    let (directory, server, admin, _supervisor) = demo_server();
    let client = browser(1280).await;
    sign_in(&client, &server.base, &admin).await;
    client.goto(&format!("{}/watch?workflow=administrative-license", server.base)).await.unwrap();
    let first = wait_for(&client, "table.watch tbody tr", |_| true).await;
    assert!(first.contains("XK-2017-001") && first.contains("黄牌"), "yellow on 2017-09-29: {first}");
    wait_for(&client, "#watch-list .live-status.connected", |_| true).await;
    // A mark only this page load has: a reload would lose it.
    client.execute("window.renewflowMark = 'kept'; return true;", vec![]).await.unwrap();
    screenshot(&client, "watch-live-before").await;
    // The service's clock moves past the decision clock's due date (2017-10-19): it turns red,
    // the sweeper records the red card, and the page hears of it.
    std::fs::write(directory.path().join("now.txt"), "2017-10-23T09:00:00+08:00\n").unwrap();
    let started = Instant::now();
    loop {
        // The list may be swapped between finding a row and reading it: read it again then.
        let row = match client.find(Locator::Css("table.watch tbody tr")).await {
            Ok(row) => row.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if row.contains("红牌") {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "the page did not follow the clock: {row}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let mark = client.execute("return window.renewflowMark || null;", vec![]).await.unwrap();
    assert_eq!(mark, serde_json::json!("kept"), "updated without a reload");
    screenshot(&client, "watch-live-after").await;
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_acts_through_my_work_and_a_stale_page_is_told_so() {
    let (_directory, server, admin, _supervisor) = demo_server();
    let history = |server: &Server| server.get("/v1/cases/XK-2017-001/history", Some(&admin)).json();
    let before = history(&server)["version"].as_u64().unwrap();
    // Two browsers open My work on the same case.
    let first = browser(1280).await;
    let second = browser(1280).await;
    for client in [&first, &second] {
        sign_in(client, &server.base, &admin).await;
        client.goto(&format!("{}/work", server.base)).await.unwrap();
        wait_for(client, "section[data-case='XK-2017-001'] legend", |_| true).await;
    }
    screenshot(&first, "work-before").await;
    // The first acts: a hearing ordered, with a note.
    let hearing = "section[data-case='XK-2017-001'] form[id$='-order_hearing']";
    let form = first.find(Locator::Css(hearing)).await.unwrap();
    form.find(Locator::Css("textarea")).await.unwrap().send_keys("申请人要求听证").await.unwrap();
    form.find(Locator::Css("button")).await.unwrap().click().await.unwrap();
    let timeline = wait_for(&first, "table.timeline", |text| text.contains("order_hearing")).await;
    assert!(timeline.contains("申请人要求听证"), "the note follows the action: {timeline}");
    assert_eq!(history(&server)["version"].as_u64(), Some(before + 2), "the action and its note");
    screenshot(&first, "work-acted-case").await;
    // The second still shows the version before: its action is refused, and says why.
    let review = "section[data-case='XK-2017-001'] form[id$='-order_expert_review'] button";
    second.find(Locator::Css(review)).await.unwrap().click().await.unwrap();
    let heading = wait_for(&second, "h1", |text| !text.contains("我的待办")).await;
    assert_eq!(heading, "页面已过期");
    let reason = second.find(Locator::Css("#refusal")).await.unwrap().text().await.unwrap();
    assert!(reason.contains(&format!("{}", before + 2)), "the version it is at now: {reason}");
    assert_eq!(history(&server)["version"].as_u64(), Some(before + 2), "nothing more was written");
    screenshot(&second, "work-stale").await;
    // Labelled controls: every select, input and textarea on My work has a label.
    second.goto(&format!("{}/work", server.base)).await.unwrap();
    wait_for(&second, "section[data-case='XK-2017-001'] legend", |_| true).await;
    let unlabelled = second
        .execute(
            "return Array.from(document.querySelectorAll('select, input:not([type=hidden]), textarea'))\
               .filter(c => !c.id || !document.querySelector('label[for=\"' + c.id + '\"]')).length;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(unlabelled, serde_json::json!(0));
    first.close().await.unwrap();
    second.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_reads_the_statistics_and_the_reform_beside_its_baseline() {
    let (_directory, server, _admin, supervisor) = demo_server();
    let client = browser(1280).await;
    sign_in(&client, &server.base, &supervisor).await;
    client.set_window_size(1280, 1400).await.unwrap();
    client.goto(&format!("{}/statistics?year=2017&by=quarter&group=role", server.base)).await.unwrap();
    let counted = wait_for(&client, "#cases-counted", |text| text.contains("统计办件")).await;
    assert!(!counted.ends_with(": 0"), "{counted}");
    let rows = client.find_all(Locator::Css("#group-figures tbody tr")).await.unwrap();
    assert!(!rows.is_empty(), "figures per role");
    // The export link asks for the same table as CSV.
    let export = client.find(Locator::Css("a[href^='/statistics.csv']")).await.unwrap();
    let href = export.attr("href").await.unwrap().unwrap();
    assert!(href.contains("year=2017") && href.contains("group=role"), "{href}");
    screenshot(&client, "statistics-2017-1280").await;
    // The workflows: this supervisor's only, each version with its diagram.
    client.goto(&format!("{}/workflows", server.base)).await.unwrap();
    wait_for(&client, "#versions", |_| true).await;
    let source = client.source().await.unwrap();
    assert!(source.contains("2016.1") && source.contains("2017.1"), "both renewal versions");
    assert!(!source.contains("administrative-license"), "not the licence's workflow");
    screenshot(&client, "workflows-1280").await;
    client.find(Locator::Css("a[href='/workflows/longgang-renewal/2017.1']")).await.unwrap().click().await.unwrap();
    wait_for(&client, "#diagram", |_| true).await;
    let regions = client.find_all(Locator::Css("svg.diagram text")).await.unwrap();
    let mut headings = Vec::new();
    for text in regions {
        let text = text.text().await.unwrap();
        if text.starts_with('‖') {
            headings.push(text);
        }
    }
    assert_eq!(headings, ["‖ 计划审批", "‖ 规划审批"], "the parallel review's two regions");
    screenshot(&client, "workflow-2017-1280").await;
    // The comparison with its baseline: the figures `renewflow workflow compare` gives.
    client.find(Locator::Css("#compare-with-base")).await.unwrap().click().await.unwrap();
    let saved = wait_for(&client, "#saved-total", |_| true).await;
    let compared = super::serve_harness::cli_in_repository(&[
        "workflow",
        "compare",
        "workflows/longgang-2016.yaml",
        "workflows/longgang-2017.yaml",
        "--format",
        "json",
    ]);
    let compared: serde_json::Value = serde_json::from_str(&compared).unwrap();
    let total = compared["total_saved_working_days"].as_i64().unwrap();
    assert!(saved.contains(&format!(": {total} ")), "{saved} against {total}");
    screenshot(&client, "compare-2016-2017-1280").await;
    client.set_window_size(390, 900).await.unwrap();
    client.goto(&format!("{}/statistics?year=2017", server.base)).await.unwrap();
    wait_for(&client, "#cases-counted", |_| true).await;
    screenshot(&client, "statistics-2017-390").await;
    client.close().await.unwrap();
}
