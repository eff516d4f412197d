# Tokens follow the account state (reset, deactivation, password change).

from django.db import migrations, models
from django.utils.crypto import salted_hmac


def fingerprint_existing(apps, schema_editor):
    # Same value as api.tokens.credential_fingerprint for the owner's current password.
    ApiToken = apps.get_model("api", "ApiToken")
    for token in ApiToken.objects.select_related("user").filter(revoked_at__isnull=True):
        token.credential_fingerprint = salted_hmac(
            "api.tokens.credential", token.user.password or "", algorithm="sha256"
        ).hexdigest()
        token.save(update_fields=["credential_fingerprint"])


class Migration(migrations.Migration):

    dependencies = [
        ('api', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='apitoken',
            name='credential_fingerprint',
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name='apitoken',
            name='revoked_reason',
            field=models.CharField(blank=True, choices=[('user', '本人吊销'), ('password_reset', '管理员重置密码'), ('password_changed', '本人修改密码'), ('deactivated', '账号停用')], max_length=20, verbose_name='吊销原因'),
        ),
        migrations.RunPython(fingerprint_existing, migrations.RunPython.noop),
    ]
