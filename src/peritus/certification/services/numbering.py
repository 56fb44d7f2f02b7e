"""Drawing certificate numbers from each scheme's series: never reused (R6)."""

from __future__ import annotations

from peritus.certification import numbers
from peritus.certification.models import Certificate, CertificateNumberSeries
from peritus.schemes.models import Scheme


def draw_numbers(scheme: Scheme, count: int) -> list[str]:
    """`count` new numbers from the scheme's series; the series row stays locked until commit."""
    series = CertificateNumberSeries.objects.select_for_update().filter(scheme=scheme).first()
    if series is None:
        prefix = numbers.prefix_for(scheme.code)
        if CertificateNumberSeries.objects.filter(prefix=prefix).exists():
            prefix = f"{prefix[:7]}{scheme.pk}"[: numbers.PREFIX_MAX]
        CertificateNumberSeries.objects.get_or_create(scheme=scheme, defaults={"prefix": prefix})
        series = CertificateNumberSeries.objects.select_for_update().get(scheme=scheme)
    drawn: list[str] = []
    serial = series.last_serial
    while len(drawn) < count:
        candidates = [
            numbers.format_number(series.prefix, serial + offset)
            for offset in range(1, count - len(drawn) + 1)
        ]
        serial += len(candidates)
        taken = set(
            Certificate.objects.filter(
                number_key__in=[numbers.number_key(number) for number in candidates]
            ).values_list("number_key", flat=True)
        )
        drawn.extend(number for number in candidates if numbers.number_key(number) not in taken)
    series.last_serial = serial
    series.save(update_fields=["last_serial", "updated_at"])
    return drawn


def reserve_serial(scheme: Scheme, number: str) -> None:
    """An imported number in the scheme's own format moves the series past it (never reused)."""
    series = CertificateNumberSeries.objects.select_for_update().filter(scheme=scheme).first()
    if series is None:
        series, _created = CertificateNumberSeries.objects.get_or_create(
            scheme=scheme, defaults={"prefix": numbers.prefix_for(scheme.code)}
        )
    key = numbers.number_key(number)
    prefix_key = numbers.number_key(series.prefix)
    if not numbers.has_valid_check(key) or not key.startswith(prefix_key):
        return
    serial_text = key[len(prefix_key) : -1]
    if serial_text.isdigit() and int(serial_text) > series.last_serial:
        series.last_serial = int(serial_text)
        series.save(update_fields=["last_serial", "updated_at"])
