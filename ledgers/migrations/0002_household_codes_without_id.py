"""Rewrite generated household codes "R-<ID number>" (imports of persons without a 户编号) to random codes."""

import re
import secrets

from django.db import migrations

OLD = re.compile(r"^R-(\d{17}[\dXx]|\d{15})$")


def rewrite(apps, schema_editor):
    Household = apps.get_model("ledgers", "Household")
    taken = set(Household.objects.filter(code__startswith="R-").values_list("community_id", "code"))
    for hh in Household.objects.filter(code__startswith="R-").only("pk", "community_id", "code").iterator():
        if not OLD.match(hh.code):
            continue
        code = "R-" + secrets.token_hex(5).upper()
        while (hh.community_id, code) in taken:
            code = "R-" + secrets.token_hex(5).upper()
        taken.add((hh.community_id, code))
        Household.objects.filter(pk=hh.pk).update(code=code)


class Migration(migrations.Migration):
    dependencies = [("ledgers", "0001_initial")]

    operations = [migrations.RunPython(rewrite, migrations.RunPython.noop)]
