"""What each report table and column means: one source for the HTML, the CSV data dictionary
and the JSON metadata, so a partner reads the same definition wherever they look."""

from __future__ import annotations

from bot.i18n import N_

# Standard blocker ids (country.yaml `blockers:` may label them; these are the fallbacks).
BLOCKERS: dict[str, str] = {
    "missing_document": N_("Missing document"),
    "office_refused": N_("Office refused"),
    "unofficial_fee": N_("Asked to pay an unofficial fee"),
    "travel": N_("Too far or too costly to travel"),
    "language": N_("Language barrier"),
    "did_not_understand": N_("Did not understand"),
    "treated_badly": N_("Treated badly"),
    "other": N_("Other"),
}
CASE_RESULTS = ("resolved", "partly", "not_resolved", "referred")
FOLLOWUP_RESULTS = ("got_it", "not_yet", "refused")
RESULTS: dict[str, str] = {
    "resolved": N_("Resolved"),
    "partly": N_("Partly resolved"),
    "not_resolved": N_("Not resolved"),
    "referred": N_("Referred elsewhere"),
    "got_it": N_("Got it"),
    "not_yet": N_("Not yet"),
    "refused": N_("Refused"),
}

TABLES: dict[str, str] = {
    "procedures": N_("Procedures"),
    "steps": N_("Steps of each procedure (funnel)"),
    "languages": N_("Procedures started, by language"),
    "case_outcomes": N_("Outcomes of cases closed by volunteers"),
    "followup_outcomes": N_("Follow-up answers: did it work?"),
    "blockers": N_("What blocked people, by procedure and office"),
    "ratings": N_("Ratings of volunteers' help (1 to 5)"),
    "targets": N_("Response targets"),
}

# column id -> (label, meaning); a column absent here is a result or blocker id (see above).
COLUMNS: dict[str, tuple[str, str]] = {
    "country": (N_("Country"), N_("ISO code of the country of the procedure")),
    "flow_id": (N_("Procedure id"), N_("The procedure's id in the flow files; * is all")),
    "procedure": (N_("Procedure"), N_("The procedure's title")),
    "started": (N_("Started"), N_("Runs of the procedure that were opened")),
    "completed": (N_("Completed"), N_("Runs that reached an end step")),
    "completion_pct": (N_("Completed %"), N_("Completed as a percentage of started")),
    "abandoned": (N_("Left"), N_("Runs left at this point: no activity for ABANDON_AFTER_HOURS, "
                                 "or another procedure opened (minus those who came back)")),
    "left_most_at": (N_("Left most at"), N_("The step where most runs were left")),
    "escalated": (N_("Asked a volunteer"), N_("Runs handed to a volunteer (an escalation step "
                                              "or /human), once per run and step")),
    "escalation_pct": (N_("Asked a volunteer %"), N_("Asked a volunteer as a percentage of "
                                                     "started")),
    "cases": (N_("Cases"), N_("Cases opened with volunteers")),
    "answered_cases": (N_("Answered cases"), N_("Cases a volunteer answered at least once")),
    "first_answer_median_min": (N_("First answer, median (min)"), N_(
        "Minutes from opening a case to a volunteer's first answer: half were faster")),
    "first_answer_p90_min": (N_("First answer, p90 (min)"), N_(
        "Minutes from opening a case to a volunteer's first answer: 90% were faster")),
    "position": (N_("Position"), N_("Order of the step in the procedure's file")),
    "step_id": (N_("Step id"), N_("The step's id in the flow file")),
    "step": (N_("Step"), N_("The step's label, or its id")),
    "kind": (N_("Kind"), N_("The kind of step (ask, choose, checklist, say, escalate, end...)")),
    "answer_kind": (N_("Answer kind"), N_("The kind of answer given (date, number, choice...), "
                                          "never the answer itself")),
    "reached": (N_("Reached"), N_("Runs that reached the step (each run once)")),
    "answered": (N_("Answered"), N_("Answers given at the step")),
    "invalid": (N_("Answers refused"), N_("Answers that did not fit and were asked again")),
    "back": (N_("Went back"), N_("Times people went back from the step")),
    "lang": (N_("Language code"), N_("The language code of the procedure's texts")),
    "language": (N_("Language"), N_("The language's name")),
    "office_id": (N_("Office id"), N_("The office of the procedure's place step, if known")),
    "office": (N_("Office"), N_("The office's name")),
    "total": (N_("Total"), N_("Sum of the row")),
    "month": (N_("Month"), N_("Month (UTC) the case was opened")),
    "first_met": (N_("First answer on time"), N_(
        "Cases whose first answer came within the country's first_response_minutes")),
    "first_missed": (N_("First answer late"), N_(
        "Cases whose first answer did not come within the country's first_response_minutes")),
    "next_met": (N_("Next answer on time"), N_(
        "Messages answered within the country's next_response_hours")),
    "next_missed": (N_("Next answer late"), N_(
        "Messages not answered within the country's next_response_hours")),
    "r1": ("1", N_("Ratings of 1 (poor)")),
    "r2": ("2", N_("Ratings of 2")),
    "r3": ("3", N_("Ratings of 3")),
    "r4": ("4", N_("Ratings of 4")),
    "r5": ("5", N_("Ratings of 5 (excellent)")),
}
BLOCKER_MEANING = N_("Outcome records that named this blocker")
RESULT_MEANING = N_("Outcome records with this result")
SUPPRESSION_RULE = N_(
    "Counts from 1 to {max_hidden} are hidden (shown as c), and so are other cells "
    "where needed so that no hidden count can be worked out from totals or from the other "
    "cells of its row or column. Percentages, medians and p90 are hidden when their base is. "
    "Days are UTC. No user id, name or text typed by anyone is in any report.")


def rule(lang: str, min_count: int) -> str:
    """The suppression rule in the reader's language (every format states it)."""
    from bot.i18n import gettext_for

    return gettext_for(lang)(SUPPRESSION_RULE).format(max_hidden=min_count - 1)


def label(column: str) -> str:
    """The English label (translate it with the reader's gettext)."""
    if column in COLUMNS:
        return COLUMNS[column][0]
    return BLOCKERS.get(column) or RESULTS.get(column) or column


def meaning(column: str) -> str:
    if column in COLUMNS:
        return COLUMNS[column][1]
    if column in RESULTS:
        return RESULT_MEANING
    return BLOCKER_MEANING
