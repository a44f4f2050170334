"""Module Markdown becomes safe HTML; the word count sees only what a reader sees."""

from __future__ import annotations

from course_content.markdown import count_words, render_markdown


def test_renders_the_allowed_structure():
    html = render_markdown(
        "## Kop\n\n### Sub\n\nTekst met *nadruk*, **vet** en `code`.\n\n"
        "- een\n- twee\n\n1. eerst\n\n> citaat\n\n---\n\n```\nblok\n```\n"
    )
    for fragment in (
        "<h2>Kop</h2>", "<h3>Sub</h3>", "<em>nadruk</em>", "<strong>vet</strong>",
        "<code>code</code>", "<ul>", "<li>een</li>", "<ol>", "<blockquote>", "<hr>",
        "<pre><code>blok",
    ):  # fmt: skip
        assert fragment in html


def test_tables_keep_column_alignment_only():
    html = render_markdown("| a | b |\n|--:|---|\n| 1 | 2 |\n")
    assert "<table>" in html and "<th>b</th>" in html
    assert '<td style="text-align:right">1</td>' in html


def test_external_links_open_in_a_new_tab_and_anchors_do_not():
    html = render_markdown("[UKB](https://www.ukb.nl/) en [boven](#top)")
    assert (
        '<a href="https://www.ukb.nl/" target="_blank" rel="noopener noreferrer">'
        "UKB</a>"
    ) in html
    assert '<a href="#top" rel="noopener noreferrer">boven</a>' in html


def test_raw_html_and_scripts_are_stripped():
    html = render_markdown(
        "<script>alert(1)</script>\n\n"
        'Tekst <b onclick="x()">vet</b> <iframe src="https://evil.example"></iframe>'
        ' <a href="https://x.example" target="_self" style="color:red">raw</a>\n\n'
        "<div style='position:fixed'>blok</div>\n"
    )
    for forbidden in ("<script", "alert(1)", "onclick", "<iframe", "<b>", "<div"):
        assert forbidden not in html
    assert "_self" not in html and "color" not in html and "position" not in html
    assert "vet" in html


def test_dangerous_urls_never_become_links():
    html = render_markdown(
        "[a](javascript:alert(1)) [b](data:text/html,x) [c](vbscript:msgbox)"
    )
    assert "href" not in html


def test_language_markers_and_comments_disappear():
    html = render_markdown("<!-- lang: nl -->\n## Inleiding\n\n<!-- note -->\nTekst\n")
    assert "<!--" not in html and "lang" not in html
    assert "<h2>Inleiding</h2>" in html


def test_images_are_replaced_by_their_alt_text():
    html = render_markdown("Zie ![het <logo>](https://x.example/logo.png) hier")
    assert "<img" not in html
    assert "het &lt;logo&gt;" in html


def test_count_words_skips_urls_markup_and_markers():
    text = (
        "<!-- lang: nl -->\n"
        "## Open access\n\n"
        "Een [link](https://example.org/een/lange/url-met-woorden) naar "
        "open-access-tijdschriften, library's en **vet** – klaar.\n\n"
        "```\ncode telt mee\n```\n"
    )
    # Open, access, Een, link, naar, open-access-tijdschriften, library's, en,
    # vet, klaar, code, telt, mee
    assert count_words(text) == 13


def test_count_words_of_nothing():
    assert count_words("") == 0
    assert count_words("<!-- lang: en -->\n\n") == 0
