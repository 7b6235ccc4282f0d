"""`flask portal …` commands: init (database, roles, admin) and demo (the brochure's town)."""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_migrate import upgrade

from .security.roles import ensure_roles

portal = AppGroup("portal", help="Administration du portail famille.")


def ensure_admin(username: str, email: str, password: str) -> bool:
    """Create the admin account if missing. Returns True when created."""
    sm = current_app.appbuilder.sm
    if sm.find_user(username=username):
        return False
    role = sm.find_role(current_app.config["AUTH_ROLE_ADMIN"])
    user = sm.add_user(username, "Admin", "Portail", email, role, password=password)
    if not user:
        raise click.ClickException("Impossible de créer le compte administrateur.")
    return True


@portal.command("init")
@click.option("--admin-username", default=lambda: os.environ.get("PORTAL_ADMIN_USERNAME", "admin"))
@click.option(
    "--admin-email", default=lambda: os.environ.get("PORTAL_ADMIN_EMAIL", "admin@example.org")
)
@click.option("--admin-password", default=lambda: os.environ.get("PORTAL_ADMIN_PASSWORD"))
def init_command(admin_username: str, admin_email: str, admin_password: str | None) -> None:
    """Migrate the database, create roles and permissions, and an admin account."""
    upgrade()
    ensure_roles()
    if not current_app.appbuilder.sm.find_user(username=admin_username):
        if not admin_password:
            admin_password = click.prompt(
                "Mot de passe de l'administrateur", hide_input=True, confirmation_prompt=True
            )
        from .security.passwords import password_problems

        problems = password_problems(admin_password)
        if problems:  # the same policy as every other password
            raise click.ClickException(" ".join(problems))
        ensure_admin(admin_username, admin_email, admin_password)
        click.echo(f"Compte administrateur créé : {admin_username}")
    click.echo("Base de données et rôles à jour.")


@portal.command("unlock")
@click.argument("login")
def unlock_command(login: str) -> None:
    """Unlock an account locked by failed logins (login or e-mail address)."""
    sm = current_app.appbuilder.sm
    user = sm.find_user(username=login) or sm.find_user(email=login)
    if user is None:
        raise click.ClickException(f"Compte inconnu : {login}")
    sm.unlock(user)
    click.echo(f"Compte déverrouillé : {user.username}")


@portal.command("backup")
@click.option("--output", "output", default="instance/backups", show_default=True,
              type=click.Path(path_type=Path),
              help="Dossier de l'archive (ou nom du fichier .tar.gz).")
def backup_command(output: Path) -> None:
    """Sauvegarder la base de données et les documents dans une archive .tar.gz."""
    from .services.backup import BackupError, backup

    try:
        archive = backup(output)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Sauvegarde écrite : {archive}")


@portal.command("restore")
@click.argument("archive", type=click.Path(path_type=Path))
@click.option("--replace", is_flag=True,
              help="Écraser une base et un dossier de documents qui ne sont pas vides.")
def restore_command(archive: Path, replace: bool) -> None:
    """Restaurer une sauvegarde (base vide et dossier des documents vide)."""
    from .services.backup import BackupError, restore

    try:
        done = restore(archive, replace=replace)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Restauration terminée : {done.tables} tables, {done.rows} lignes, "
               f"{done.files} fichiers.")


@portal.command("rgpd-retention")
@click.option("--dry-run", is_flag=True, help="Lister sans rien anonymiser.")
def retention_command(dry_run: bool) -> None:
    """Anonymiser les familles sans activité depuis 3 ans (factures conservées)."""
    from .services.gdpr import run_retention

    report = run_retention(dry_run=dry_run)
    verb = "à anonymiser" if dry_run else "anonymisées"
    click.echo(f"Familles {verb} : {len(report.anonymised)} "
               f"{' '.join(report.anonymised)}".rstrip())
    for code, reasons in report.kept.items():
        click.echo(f"Gardée {code} : {' '.join(reasons)}")


def register(app: Flask) -> None:
    """Every `flask portal …` command, added here (none registers itself by import)."""
    from .demo import demo_command
    from .services.billing.cli import billing_cli
    from .services.mail import mail_flush_command

    app.cli.add_command(portal)
    portal.add_command(demo_command)  # `flask portal demo`
    portal.add_command(mail_flush_command)  # `flask portal mail-flush`
    portal.add_command(billing_cli)  # `flask portal billing run --month 2026-09`
    from .devservers.cli import standins_command
    from .services.api_particulier.cli import qf_batch_command

    portal.add_command(standins_command)  # `flask portal standins` (never in production)
    portal.add_command(qf_batch_command)  # `flask portal qf-batch`
