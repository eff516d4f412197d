from reports.templatetags.report_tags import number_cells


def test_number_cells_are_escaped_cells():
    assert number_cells([0, 12, "<b>&"]) == (
        '<td class="text-end">0</td><td class="text-end">12</td><td class="text-end">&lt;b&gt;&amp;</td>'
    )
    assert number_cells([]) == ""
