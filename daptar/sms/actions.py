"""An SMS from an office: find who sent it, do what it says through the usual actions, answer.

Every command runs the same action the web page runs (audited, the sender's user as
the actor) and is answered by SMS in Bengali: what was recorded, or what was wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from daptar.directives import actions as directive_actions
from daptar.directives.models import Delivery
from daptar.lib import shortcodes
from daptar.lib.exceptions import Conflict
from daptar.lib.numerals import to_bengali_digits
from daptar.lib.phones import normalise_phone
from daptar.notifications.actions import queue_sms
from daptar.people.models import Person
from daptar.returns import actions as return_actions
from daptar.returns.models import ReturnForm, ReturnPeriod, Submission
from daptar.sms import commands
from daptar.sms.models import InboundSMS

if TYPE_CHECKING:
    from daptar.accounts.models import User
    from daptar.units.models import Unit


@dataclass
class _Answer:
    outcome: str
    reply: str
    command: str = ""
    unit: Unit | None = None


def _refused(reply: str, command: str = "") -> _Answer:
    return _Answer(InboundSMS.Outcome.REFUSED, reply, command)


def _invalid(reply: str, command: str = "") -> _Answer:
    return _Answer(InboundSMS.Outcome.INVALID, reply, command)


def receive(*, gateway: str, message_id: str, sender: str, text: str) -> tuple[InboundSMS, bool]:
    """Record and carry out one inbound SMS; (row, False) when this message id came before."""
    message_id = message_id[:100]
    with transaction.atomic():
        try:
            # Its own savepoint: a concurrent copy of the same message waits on the unique
            # index here, then finds the first one's row and does nothing.
            with transaction.atomic():
                inbound = InboundSMS.objects.create(
                    gateway=gateway,
                    message_id=message_id,
                    sender=sender[:32],
                    text=text[:1000],
                    outcome=InboundSMS.Outcome.REFUSED,
                )
        except IntegrityError:
            return InboundSMS.objects.get(gateway=gateway, message_id=message_id), False
        with translation.override("bn"):
            answer = _carry_out(inbound)
        inbound.outcome, inbound.reply = answer.outcome, answer.reply
        inbound.command, inbound.unit = answer.command, answer.unit
        inbound.save()
        if inbound.phone and answer.reply:
            # A stranger (or another machine's auto-reply) hears from us once a day at most:
            # two answering machines would otherwise text each other without end.
            key = (
                f"sms-reply:{inbound.pk}"
                if inbound.user_id
                else f"sms-stranger:{inbound.phone}:{timezone.localdate():%Y%m%d}"
            )
            queue_sms(
                inbound.phone,
                answer.reply,
                key=key,
                unit_id=answer.unit.pk if answer.unit else None,
            )
    return inbound, True


def _sender(inbound: InboundSMS) -> User | _Answer:
    """The sender's user, acting for at least one unit; or the refusal to send back."""
    try:
        inbound.phone = normalise_phone(inbound.sender)
    except ValidationError:
        return _refused("")  # not a Bangladeshi mobile: nothing to answer to
    person = (
        Person.objects.filter(
            phone=inbound.phone, phone_verified_at__isnull=False, user__is_active=True
        )
        .select_related("user")
        .first()
    )
    if person is None:
        return _refused(_("This number is not registered with any office. Nothing was recorded."))
    inbound.person, inbound.user = person, person.user
    user: User = person.user  # type: ignore[attr-defined]
    if not any(desk.can_act for desk in user.desks):
        return _refused(_("You hold no office post now, so nothing was recorded."))
    return user


def _carry_out(inbound: InboundSMS) -> _Answer:
    user = _sender(inbound)
    if isinstance(user, _Answer):
        return user
    command = commands.parse(inbound.text)
    if not command.verb or not command.code:
        return _invalid(_help())
    if command.verb == commands.RETURN:
        answer = _submit_return(user, command)
    else:
        answer = _move_directive(user, command)
    answer.command = command.verb
    return answer


def _help() -> str:
    return _(
        "Not understood. Send: ACK <code> (প্রাপ্তি <code>), DONE <code> (সম্পন্ন <code>), "
        "or R <code> and the figures in order."
    )


def _bad_code(code: str) -> _Answer:
    return _invalid(
        _("Code %(code)s is not right: check it against the SMS and send it again.")
        % {"code": to_bengali_digits(code)}
    )


def _move_directive(user: User, command: commands.Command) -> _Answer:
    directive_id = shortcodes.decode(command.code)
    if directive_id is None:
        return _bad_code(command.code)
    acting = [desk.unit.pk for desk in user.desks if desk.can_act]
    deliveries = list(
        Delivery.objects.filter(directive_id=directive_id, unit_id__in=acting)
        .exclude(state=Delivery.State.PENDING)
        .select_related("directive", "unit")
        .order_by("unit__depth")
    )
    if not deliveries:
        # The same answer whether the directive does not exist or went elsewhere.
        return _refused(
            _("No directive with code %(code)s was sent to your unit. Nothing was recorded.")
            % {"code": to_bengali_digits(command.code)}
        )
    target = Delivery.State.DONE if command.verb == commands.DONE else Delivery.State.ACKNOWLEDGED
    delivery = next((d for d in deliveries if not d.reached(target)), deliveries[0])
    move = (
        directive_actions.mark_done
        if target == Delivery.State.DONE
        else directive_actions.acknowledge
    )
    reference = delivery.directive.reference
    try:
        move(delivery, by=user, via=Delivery.Via.SMS)
    except (Conflict, PermissionDenied) as exc:
        return _Answer(
            InboundSMS.Outcome.INVALID,
            _("Directive %(reference)s: %(problem)s")
            % {"reference": reference, "problem": _message(exc)},
            unit=delivery.unit,
        )
    if target == Delivery.State.DONE:
        reply = _("Recorded: directive %(reference)s is done (%(unit)s).")
    else:
        reply = _("Recorded: directive %(reference)s acknowledged (%(unit)s).")
    return _Answer(
        InboundSMS.Outcome.RECORDED,
        reply % {"reference": reference, "unit": delivery.unit.name_bn},
        unit=delivery.unit,
    )


def _message(exc: Exception) -> str:
    return " ".join(str(m) for m in getattr(exc, "messages", None) or exc.args) or str(exc)


def _submit_return(user: User, command: commands.Command) -> _Answer:
    period_id = shortcodes.decode(command.code)
    period = (
        ReturnPeriod.objects.filter(pk=period_id, form__status=ReturnForm.Status.ACTIVE)
        .select_related("form")
        .first()
        if period_id is not None
        else None
    )
    if period_id is None:
        return _bad_code(command.code)
    unit = _return_unit(user, period) if period is not None else None
    if period is None or unit is None:
        return _refused(
            _("No return with code %(code)s is asked of your unit. Nothing was recorded.")
            % {"code": to_bengali_digits(command.code)}
        )
    fields = list(period.form.fields.order_by("position"))
    if len(command.values) != len(fields):
        return _Answer(
            InboundSMS.Outcome.INVALID,
            _(
                "This return has %(n)s figures (%(fields)s); your SMS had %(m)s. "
                "Nothing was recorded."
            )
            % {
                "n": to_bengali_digits(len(fields)),
                "m": to_bengali_digits(len(command.values)),
                "fields": ", ".join(f.label_bn for f in fields),
            },
            unit=unit,
        )
    data = {f.key: value for f, value in zip(fields, command.values, strict=True)}
    try:
        submission = return_actions.submit(period, unit, data, by=user)
    except ValidationError as exc:
        return _Answer(InboundSMS.Outcome.INVALID, _return_errors(exc, fields), unit=unit)
    except (Conflict, PermissionDenied) as exc:
        return _Answer(InboundSMS.Outcome.INVALID, _message(exc), unit=unit)
    return _Answer(
        InboundSMS.Outcome.RECORDED,
        _("Recorded: %(form)s, %(period)s, sent as version %(version)s.")
        % {
            "form": period.form.title,
            "period": period.label,
            "version": to_bengali_digits(submission.version),
        },
        unit=unit,
    )


def _return_unit(user: User, period: ReturnPeriod) -> Unit | None:
    """The sender's unit this return is asked of: its expected slot first, else a target."""
    acting = {desk.unit.pk: desk.unit for desk in user.desks if desk.can_act}
    slot = (
        Submission.objects.filter(period=period, unit_id__in=list(acting))
        .order_by("-expected", "unit_path")
        .values_list("unit_id", flat=True)
        .first()
    )
    if slot is not None:
        return acting[slot]
    return next((u for u in acting.values() if return_actions.is_target(period.form, u)), None)


def _return_errors(exc: ValidationError, fields: list) -> str:
    labels = {f.key: f"{to_bengali_digits(i)}. {f.label_bn}" for i, f in enumerate(fields, 1)}
    problems = [
        f"{labels.get(key, '')}: {' '.join(messages)}"
        if key != NON_FIELD_ERRORS and key in labels
        else " ".join(messages)
        for key, messages in exc.message_dict.items()
    ]
    return _("Nothing was recorded. %(problems)s") % {"problems": "; ".join(problems)}
