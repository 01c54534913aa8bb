"""`learn`: an online-courses site. Sections: home, courses, lessons, quizzes, forum, search, account."""

from __future__ import annotations

from flask import abort, render_template

from activity_contract import names
from producers.catalog import Link

APP_ID = names.LEARN
TITLE = "Lab Learn"
TAGLINE = "Short courses, real skills."
NAV = (("Home", "/"), ("Courses", "/courses"), ("Forum", "/forum"), ("Search", "/search"), ("Account", "/account"))
LESSONS_PER_COURSE = 4
COURSES = {
    "python-basics": ("Python Basics", ["Variables and types", "Control flow", "Functions", "Files and errors"]),
    "hadoop-intro": (
        "Data Engineering with Hadoop",
        ["HDFS in one hour", "MapReduce by hand", "Hive tables", "Scheduling with Airflow"],
    ),
    "sql-analysts": ("SQL for Analysts", ["SELECT and WHERE", "Joins", "Window functions", "Query plans"]),
    "statistics": ("Practical Statistics", ["Distributions", "Sampling", "A/B tests", "Regression"]),
    "web-fundamentals": ("Web Fundamentals", ["HTTP", "HTML and CSS", "Cookies and sessions", "Caching"]),
}
THREADS = {
    1: "How do I read a CSV file in Python?",
    2: "HDFS replication factor on a laptop?",
    3: "Window functions vs GROUP BY",
    4: "Is a p-value of 0.06 significant?",
    5: "Cookies vs local storage",
    6: "Study group for the Hadoop course",
    7: "Quiz 2 question 3 seems wrong",
    8: "Best way to practise SQL",
    9: "Hive or Spark SQL for a beginner?",
    10: "Show your final projects here",
}
BROKEN_LINKS = ("/course/python-basics/lesson/9", "/downloads/syllabus-2019.pdf", "/forum/thread/0")
SEARCH_TERMS = ("python", "sql", "hadoop", "joins", "regression", "http", "functions", "hive", "sampling", "caching")

ENDPOINT_SECTIONS = {
    "home": "home",
    "courses": "courses",
    "course": "courses",
    "lesson": "lessons",
    "quiz": "quizzes",
    "forum": "forum",
    "thread": "forum",
}


def course_paths() -> list[str]:
    return [f"/course/{slug}" for slug in COURSES]


def lesson_paths(slug: str) -> list[str]:
    return [f"/course/{slug}/lesson/{n}" for n in range(1, LESSONS_PER_COURSE + 1)]


def thread_paths() -> list[str]:
    return [f"/forum/thread/{tid}" for tid in THREADS]


def searchable() -> list[Link]:
    links = [Link(title, f"/course/{slug}", ", ".join(lessons)) for slug, (title, lessons) in COURSES.items()]
    links += [
        Link(f"{COURSES[slug][0]}: {lesson}", f"/course/{slug}/lesson/{n}")
        for slug, (_, lessons) in COURSES.items()
        for n, lesson in enumerate(lessons, 1)
    ]
    links += [Link(title, f"/forum/thread/{tid}", "Forum") for tid, title in THREADS.items()]
    return links


def section_and_target(endpoint: str, view_args: dict, args) -> tuple[str, str | None]:
    section = ENDPOINT_SECTIONS.get(endpoint, "unknown")
    if endpoint in ("course", "quiz"):
        return section, view_args.get("slug")
    if endpoint == "lesson":
        return section, f"{view_args.get('slug')}/{view_args.get('n')}"
    if endpoint == "thread":
        return section, str(view_args.get("tid"))
    return section, None


def _course_or_404(slug: str):
    return COURSES.get(slug) or abort(404)


def register(app) -> None:
    @app.get("/", endpoint="home")
    def home():
        blocks = [
            (
                "Popular courses",
                [Link(t, f"/course/{s}", f"{len(lessons)} lessons") for s, (t, lessons) in COURSES.items()],
            ),
            ("From the forum", [Link(t, f"/forum/thread/{tid}") for tid, t in list(THREADS.items())[:4]]),
        ]
        promo = Link("Download the 2019 syllabus (PDF)", "/downloads/syllabus-2019.pdf", "Archive")
        return render_template("home.html", blocks=blocks, promo=promo)

    @app.get("/courses", endpoint="courses")
    def courses():
        items = [
            Link(t, f"/course/{s}", ", ".join(lessons), f"{len(lessons)} lessons + quiz")
            for s, (t, lessons) in COURSES.items()
        ]
        return render_template("listing.html", heading="Courses", intro="Self-paced, free.", items=items)

    @app.get("/course/<slug>", endpoint="course")
    def course(slug: str):
        title, lessons = _course_or_404(slug)
        items = [Link(f"Lesson {n}: {name}", f"/course/{slug}/lesson/{n}") for n, name in enumerate(lessons, 1)]
        items.append(Link("Final quiz", f"/course/{slug}/quiz"))
        items.append(Link("Bonus lesson (retired)", f"/course/{slug}/lesson/9"))
        return render_template("listing.html", heading=title, intro="Course outline", items=items)

    @app.get("/course/<slug>/lesson/<int:n>", endpoint="lesson")
    def lesson(slug: str, n: int):
        title, lessons = _course_or_404(slug)
        if not 1 <= n <= len(lessons):
            abort(404)
        links = (
            [Link("Next lesson", f"/course/{slug}/lesson/{n + 1}")]
            if n < len(lessons)
            else [Link("Take the quiz", f"/course/{slug}/quiz")]
        )
        links.append(Link("Discuss in the forum", "/forum"))
        item = {
            "kind": "lesson",
            "title": f"{title} · Lesson {n}: {lessons[n - 1]}",
            "meta": f"{n} of {len(lessons)}",
            "paragraphs": [f"In this lesson: {lessons[n - 1].lower()}.", "Watch the video, then try the exercise."],
            "actions": [
                {"label": "Play video", "track": f"video:{slug}/{n}"},
                {"label": "Mark complete", "track": f"complete:{slug}/{n}"},
            ],
            "links": links,
        }
        return render_template("item.html", item=item)

    @app.get("/course/<slug>/quiz", endpoint="quiz")
    def quiz(slug: str):
        title, lessons = _course_or_404(slug)
        questions = [f"Which statement about {name.lower()} is true?" for name in lessons]
        return render_template("quiz.html", title=f"{title}: final quiz", slug=slug, questions=questions)

    @app.get("/forum", endpoint="forum")
    def forum():
        items = [Link(t, f"/forum/thread/{tid}", "", f"{(tid * 7) % 23 + 1} replies") for tid, t in THREADS.items()]
        items.append(Link("[pinned] Welcome! Read this first (moved)", "/forum/thread/0", "", "locked"))
        return render_template("listing.html", heading="Forum", intro="Ask, answer, share.", items=items)

    @app.get("/forum/thread/<int:tid>", endpoint="thread")
    def thread(tid: int):
        title = THREADS.get(tid) or abort(404)
        item = {
            "kind": "thread",
            "title": title,
            "meta": "Forum",
            "paragraphs": ["Original post: any pointers appreciated!", "Reply: have you tried the lesson notes?"],
            "actions": [{"label": "Reply", "track": f"reply:{tid}"}],
            "links": [Link("Back to the forum", "/forum")],
        }
        return render_template("item.html", item=item)
