"""Stored copies of standard v1 gain the `innovation` flag on line 5 (the flag moved from code into data)."""

import hashlib
import json

from django.db import migrations


def flag(apps, schema_editor):
    StandardVersion = apps.get_model("standards", "StandardVersion")
    for obj in StandardVersion.objects.filter(version="v1"):
        lines = obj.data.get("lines", [])
        if any(line.get("innovation") for line in lines):
            continue
        for line in lines:
            if line.get("id") == "5":
                line["innovation"] = True
        obj.sha256 = hashlib.sha256(json.dumps(obj.data, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
        obj.save(update_fields=["data", "sha256"])


class Migration(migrations.Migration):
    dependencies = [("standards", "0001_initial")]

    operations = [migrations.RunPython(flag, migrations.RunPython.noop)]
