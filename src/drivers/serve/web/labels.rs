//! `Lang` and `Labels`: the words of the web pages, in Chinese (the default) and English, and
//! dates as people there write them: `2027-01-05 (周二)`, `2027-01-05 (Tue)`.

use chrono::{Datelike, NaiveDate};

/// The language a page is shown in: the `renewflow_lang` cookie, Chinese when it is missing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Lang {
    Zh,
    En,
}

/// The cookie that keeps the language chosen.
pub(crate) const LANG_COOKIE: &str = "renewflow_lang";

impl Lang {
    /// The language a cookie value names; Chinese for anything else.
    pub(crate) fn from_cookie(value: Option<&str>) -> Lang {
        match value {
            Some("en") => Lang::En,
            _ => Lang::Zh,
        }
    }

    /// The `lang` attribute of the page, and the cookie's value.
    pub(crate) fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The value the switch sets to show the other language.
    pub(crate) fn other_cookie_value(self) -> &'static str {
        match self {
            Lang::Zh => "en",
            Lang::En => "zh",
        }
    }

    pub(crate) fn labels(self) -> &'static Labels {
        match self {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }

    /// `date` with its weekday: `2027-01-05 (周二)` or `2027-01-05 (Tue)`.
    pub(crate) fn date(self, date: NaiveDate) -> String {
        let index = date.weekday().num_days_from_monday() as usize;
        let weekday = match self {
            Lang::Zh => ["周一", "周二", "周三", "周四", "周五", "周六", "周日"][index],
            Lang::En => ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][index],
        };
        format!("{date} ({weekday})")
    }

    /// An RFC 3339 instant as `2017-06-01 09:00 (周四)`, in its own offset; the text as given
    /// when it does not parse.
    pub(crate) fn instant(self, text: &str) -> String {
        match chrono::DateTime::parse_from_rfc3339(text) {
            Ok(instant) => {
                let date = self.date(instant.date_naive());
                let (day, weekday) = date.split_once(' ').unwrap_or((&date, ""));
                format!("{day} {} {weekday}", instant.format("%H:%M"))
            }
            Err(_) => text.to_owned(),
        }
    }

    /// A clock's status (`not_started`, `running`, `paused`, `met`, `breached`, `stopped`) in
    /// words.
    pub(crate) fn clock_status(self, status: &str) -> &'static str {
        let t = self.labels();
        match status {
            "not_started" => t.status_not_started,
            "running" => t.running,
            "paused" => t.paused,
            "met" => t.status_met,
            "breached" => t.status_breached,
            _ => t.status_stopped,
        }
    }

    /// A count of a clock's unit: `12 个工作日`, `12 working days`.
    pub(crate) fn count(self, count: i64, unit: &str) -> String {
        let labels = self.labels();
        let word = match unit {
            "wd" => labels.working_days,
            "cd" | "d" => labels.calendar_days,
            "m" => labels.months,
            "y" => labels.years,
            other => other,
        };
        format!("{count} {word}")
    }
}

/// Every word the pages show, in one language.
pub(crate) struct Labels {
    pub(crate) product: &'static str,
    pub(crate) switch_language: &'static str,
    pub(crate) skip_to_content: &'static str,
    pub(crate) watch: &'static str,
    pub(crate) my_work: &'static str,
    pub(crate) my_work_intro: &'static str,
    pub(crate) supervisor_acts_not: &'static str,
    pub(crate) nothing_to_do: &'static str,
    pub(crate) more_cases: &'static str,
    pub(crate) take_action: &'static str,
    pub(crate) note: &'static str,
    pub(crate) guard: &'static str,
    pub(crate) guard_false_now: &'static str,
    pub(crate) stale_page: &'static str,
    pub(crate) stale_help: &'static str,
    pub(crate) refused: &'static str,
    pub(crate) back_to_case: &'static str,
    pub(crate) back_to_work: &'static str,
    pub(crate) nearest_due: &'static str,
    pub(crate) calendar: &'static str,
    pub(crate) year: &'static str,
    pub(crate) working_days_in_year: &'static str,
    pub(crate) rest_days_in_year: &'static str,
    pub(crate) day_work: &'static str,
    pub(crate) day_rest: &'static str,
    pub(crate) day_holiday: &'static str,
    pub(crate) day_makeup: &'static str,
    pub(crate) mark_holiday: &'static str,
    pub(crate) mark_makeup: &'static str,
    pub(crate) festivals: &'static str,
    pub(crate) festival: &'static str,
    pub(crate) notice: &'static str,
    pub(crate) weekdays: [&'static str; 7],
    pub(crate) sign_in: &'static str,
    pub(crate) sign_out: &'static str,
    pub(crate) signed_in_as: &'static str,
    pub(crate) api_key: &'static str,
    pub(crate) api_key_help: &'static str,
    pub(crate) sign_in_refused: &'static str,
    pub(crate) form_expired: &'static str,
    pub(crate) watch_title: &'static str,
    pub(crate) watch_intro: &'static str,
    pub(crate) as_of: &'static str,
    pub(crate) workflow: &'static str,
    pub(crate) clock: &'static str,
    pub(crate) level: &'static str,
    pub(crate) every_level: &'static str,
    pub(crate) every_workflow: &'static str,
    pub(crate) only_red: &'static str,
    pub(crate) only_overrun: &'static str,
    pub(crate) only_provisional: &'static str,
    pub(crate) filter: &'static str,
    pub(crate) case_number: &'static str,
    pub(crate) limit: &'static str,
    pub(crate) statutory_limit: &'static str,
    pub(crate) promised_limit: &'static str,
    pub(crate) due_date: &'static str,
    pub(crate) remaining: &'static str,
    pub(crate) phase: &'static str,
    pub(crate) running: &'static str,
    pub(crate) paused: &'static str,
    pub(crate) status_not_started: &'static str,
    pub(crate) status_met: &'static str,
    pub(crate) status_breached: &'static str,
    pub(crate) status_stopped: &'static str,
    pub(crate) red_card: &'static str,
    pub(crate) yellow_card: &'static str,
    pub(crate) no_card: &'static str,
    pub(crate) set_by_statutory: &'static str,
    pub(crate) set_by_promised: &'static str,
    pub(crate) provisional: &'static str,
    pub(crate) beyond_data: &'static str,
    pub(crate) due_tomorrow: &'static str,
    pub(crate) overdue_by: &'static str,
    pub(crate) pause_overrun: &'static str,
    pub(crate) nothing_due: &'static str,
    pub(crate) rows_of: &'static str,
    pub(crate) previous_page: &'static str,
    pub(crate) next_page: &'static str,
    pub(crate) live: &'static str,
    pub(crate) case_title: &'static str,
    pub(crate) version: &'static str,
    pub(crate) active_states: &'static str,
    pub(crate) attributes: &'static str,
    pub(crate) opened_at: &'static str,
    pub(crate) finished_on: &'static str,
    pub(crate) clocks: &'static str,
    pub(crate) no_clock: &'static str,
    pub(crate) elapsed: &'static str,
    pub(crate) pauses: &'static str,
    pub(crate) pause_basis: &'static str,
    pub(crate) extensions: &'static str,
    pub(crate) timeline: &'static str,
    pub(crate) when: &'static str,
    pub(crate) who: &'static str,
    pub(crate) role: &'static str,
    pub(crate) what: &'static str,
    pub(crate) hash: &'static str,
    pub(crate) chain: &'static str,
    pub(crate) chain_verifies: &'static str,
    pub(crate) chain_broken: &'static str,
    pub(crate) since: &'static str,
    pub(crate) open_pause: &'static str,
    pub(crate) not_found: &'static str,
    pub(crate) working_days: &'static str,
    pub(crate) calendar_days: &'static str,
    pub(crate) months: &'static str,
    pub(crate) years: &'static str,
}

static ZH: Labels = Labels {
    product: "城市更新审批时限",
    switch_language: "English",
    skip_to_content: "跳到正文",
    watch: "监察",
    my_work: "我的待办",
    my_work_intro: "您的角色现在可以办理的案件，到期日最近的在前。",
    supervisor_acts_not: "监察密钥只能查看，不办理案件。",
    nothing_to_do: "现在没有待您办理的案件。",
    more_cases: "还有更多案件；先办理以上案件。",
    take_action: "办理",
    note: "备注",
    guard: "条件",
    guard_false_now: "按当前属性，条件不成立；填写属性后再办理。",
    stale_page: "页面已过期",
    stale_help: "案件在您打开页面后已有变化。请重新打开待办页面，确认后再办理。",
    refused: "未能办理",
    back_to_case: "查看案件",
    back_to_work: "返回我的待办",
    nearest_due: "最近到期",
    calendar: "日历",
    year: "年份",
    working_days_in_year: "工作日",
    rest_days_in_year: "休息日",
    day_work: "工作日",
    day_rest: "周末休息",
    day_holiday: "法定节假日休息",
    day_makeup: "调休上班",
    mark_holiday: "休",
    mark_makeup: "班",
    festivals: "节假日安排",
    festival: "节日",
    notice: "通知",
    weekdays: ["一", "二", "三", "四", "五", "六", "日"],
    sign_in: "登录",
    sign_out: "退出",
    signed_in_as: "当前用户",
    api_key: "API 密钥",
    api_key_help: "管理员用 renewflow key create 发给您的密钥；它只用来登录，不会保存在浏览器里。",
    sign_in_refused: "密钥无效或已吊销。",
    form_expired: "表单已过期，请重新提交。",
    watch_title: "时限监察",
    watch_intro: "亮黄牌、红牌的时限，最紧急的在前。",
    as_of: "截至",
    workflow: "流程",
    clock: "时限名称",
    level: "预警",
    every_level: "黄牌和红牌",
    every_workflow: "全部流程",
    only_red: "仅红牌",
    only_overrun: "暂停超期",
    only_provisional: "仅含推算日期",
    filter: "筛选",
    case_number: "案号",
    limit: "时限",
    statutory_limit: "法定时限",
    promised_limit: "承诺时限",
    due_date: "到期日",
    remaining: "剩余",
    phase: "状态",
    running: "计时中",
    paused: "暂停",
    status_not_started: "未开始",
    status_met: "按时办结",
    status_breached: "超期",
    status_stopped: "已停止",
    red_card: "红牌",
    yellow_card: "黄牌",
    no_card: "正常",
    set_by_statutory: "按法定时限",
    set_by_promised: "按承诺时限",
    provisional: "推算",
    beyond_data: "超出日历数据",
    due_tomorrow: "明日到期",
    overdue_by: "已超期",
    pause_overrun: "暂停超过上限",
    nothing_due: "没有亮牌的时限。",
    rows_of: "条，共",
    previous_page: "上一页",
    next_page: "下一页",
    live: "实时更新",
    case_title: "案件",
    version: "版本",
    active_states: "当前环节",
    attributes: "属性",
    opened_at: "立案时间",
    finished_on: "办结日期",
    clocks: "时限",
    no_clock: "尚无开始计时的时限。",
    elapsed: "已用",
    pauses: "暂停",
    pause_basis: "依据",
    extensions: "延长",
    timeline: "办理过程",
    when: "时间",
    who: "办理人",
    role: "角色",
    what: "事项",
    hash: "哈希",
    chain: "哈希链",
    chain_verifies: "完整，未被改动",
    chain_broken: "已断裂",
    since: "自",
    open_pause: "暂停中",
    not_found: "没有这个案件，或您无权查看。",
    working_days: "个工作日",
    calendar_days: "天",
    months: "个月",
    years: "年",
};

static EN: Labels = Labels {
    product: "Urban renewal approval time limits",
    switch_language: "中文",
    skip_to_content: "Skip to content",
    watch: "Watch",
    my_work: "My work",
    my_work_intro: "Open cases your roles can act on now, the nearest due date first.",
    supervisor_acts_not: "A supervisor's key reads cases; it does not act on them.",
    nothing_to_do: "Nothing is waiting for you.",
    more_cases: "More cases wait; act on these first.",
    take_action: "Act",
    note: "Note",
    guard: "Condition",
    guard_false_now: "With the attributes as they are, the condition is false; set them in the form.",
    stale_page: "This page is out of date",
    stale_help: "The case changed after you opened the page. Open My work again, check, and act then.",
    refused: "Not done",
    back_to_case: "See the case",
    back_to_work: "Back to My work",
    nearest_due: "Nearest due",
    calendar: "Calendar",
    year: "Year",
    working_days_in_year: "Working days",
    rest_days_in_year: "Rest days",
    day_work: "working day",
    day_rest: "weekend rest",
    day_holiday: "holiday rest",
    day_makeup: "makeup working day",
    mark_holiday: "off",
    mark_makeup: "work",
    festivals: "Holiday arrangements",
    festival: "Festival",
    notice: "Notices",
    weekdays: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
    sign_in: "Sign in",
    sign_out: "Sign out",
    signed_in_as: "Signed in as",
    api_key: "API key",
    api_key_help: "The key your administrator made with renewflow key create; it is used to sign in only and is not kept in the browser.",
    sign_in_refused: "The key is unknown or revoked.",
    form_expired: "The form has expired; send it again.",
    watch_title: "Watch list",
    watch_intro: "Time limits on a yellow or red card, the most urgent first.",
    as_of: "As of",
    workflow: "Workflow",
    clock: "Clock",
    level: "Card",
    every_level: "Yellow and red",
    every_workflow: "Every workflow",
    only_red: "Red only",
    only_overrun: "Pause overruns",
    only_provisional: "Projected dates only",
    filter: "Filter",
    case_number: "Case",
    limit: "Limit",
    statutory_limit: "Statutory limit",
    promised_limit: "Promised limit",
    due_date: "Due",
    remaining: "Left",
    phase: "Phase",
    running: "running",
    paused: "paused",
    status_not_started: "not started",
    status_met: "met",
    status_breached: "breached",
    status_stopped: "stopped",
    red_card: "Red",
    yellow_card: "Yellow",
    no_card: "OK",
    set_by_statutory: "by the statutory limit",
    set_by_promised: "by the promised limit",
    provisional: "projected",
    beyond_data: "beyond the calendar's data",
    due_tomorrow: "due tomorrow",
    overdue_by: "overdue by",
    pause_overrun: "pause past its maximum",
    nothing_due: "No clock is on a card.",
    rows_of: "rows of",
    previous_page: "Previous",
    next_page: "Next",
    live: "Live",
    case_title: "Case",
    version: "Version",
    active_states: "Active states",
    attributes: "Attributes",
    opened_at: "Opened",
    finished_on: "Finished",
    clocks: "Clocks",
    no_clock: "No clock has started yet.",
    elapsed: "Elapsed",
    pauses: "Pauses",
    pause_basis: "Basis",
    extensions: "Extensions",
    timeline: "Timeline",
    when: "When",
    who: "Who",
    role: "Role",
    what: "What",
    hash: "Hash",
    chain: "Hash chain",
    chain_verifies: "intact, not changed",
    chain_broken: "broken",
    since: "since",
    open_pause: "paused now",
    not_found: "No such case, or you may not read it.",
    working_days: "working days",
    calendar_days: "days",
    months: "months",
    years: "years",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_carry_their_weekday_in_each_language() {
        let tuesday = NaiveDate::from_ymd_opt(2027, 1, 5).unwrap();
        assert_eq!(Lang::Zh.date(tuesday), "2027-01-05 (周二)");
        assert_eq!(Lang::En.date(tuesday), "2027-01-05 (Tue)");
        let sunday = NaiveDate::from_ymd_opt(2027, 1, 10).unwrap();
        assert_eq!(
            (Lang::Zh.date(sunday), Lang::En.date(sunday)),
            ("2027-01-10 (周日)".to_owned(), "2027-01-10 (Sun)".to_owned())
        );
    }

    #[test]
    fn instants_read_as_date_time_and_weekday_and_statuses_as_words() {
        assert_eq!(Lang::Zh.instant("2017-06-01T09:00:00+08:00"), "2017-06-01 09:00 (周四)");
        assert_eq!(Lang::En.instant("2017-06-01T09:00:00+08:00"), "2017-06-01 09:00 (Thu)");
        assert_eq!(Lang::Zh.instant("not a time"), "not a time");
        assert_eq!((Lang::Zh.clock_status("breached"), Lang::En.clock_status("met")), ("超期", "met"));
    }

    #[test]
    fn the_cookie_chooses_english_only_when_it_says_so() {
        assert_eq!(Lang::from_cookie(Some("en")), Lang::En);
        assert_eq!(Lang::from_cookie(Some("fr")), Lang::Zh);
        assert_eq!(Lang::from_cookie(None), Lang::Zh);
    }
}
