"""Mailings: one message from the service to the families chosen by school, class, service
or enrolment (`criteria`), previewed (`queries.recipients`), then sent (`commands.
SendMailing`): an alert in each family's « Alertes » and a mail to its guardians through
the outbox (app.services.alerts, app.services.mail), in one transaction."""
