"""The baseline's partners, referrals, documents and departure checklists (issue 18).

Added to the fixture objects the generator builds (`add_departures`), from the same records and seed: nothing
the report counts changes. Every 2024 departure (returns and resettlement) has a complete checklist, each
returnee's signed voluntariness declaration is a document record, support given by a partner names the partner,
and each partner's support was a referral, sent with the returnee's consent to data sharing to a partner whose
agreement was in force. The documents' files are tiny generated placeholders, written by `load_baseline`
(`placeholder_files`), never real documents.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

from django.core.files.base import ContentFile

# The same placeholder for every baseline document: a one-page empty PDF.
PLACEHOLDER_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>"
                   b"endobj 3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n"
                   b"%%EOF\n")
FIRST_PARTNER_PK = 1
FIRST_DOCUMENT_PK = 1
FIRST_REFERRAL_PK = 1
YEAR = 2024

# (name, type, country, city, services): IOM's usual partners in the main countries of return and in Morocco.
PARTNERS = (
    ("Association Ivoirienne pour la Réinsertion", "ngo", "CI", "Abidjan", ("vocational_training", "economic")),
    ("Centre de Santé Communautaire de Treichville", "health", "CI", "Abidjan", ("health", "psychosocial")),
    ("Fondation Sénégalaise pour l’Emploi des Jeunes", "training", "SN", "Dakar",
     ("vocational_training", "education")),
    ("Caisse de Microfinance Guinéenne", "finance", "GN", "Conakry", ("cash", "economic")),
    ("Réseau Malien d’Accueil des Migrants", "ngo", "ML", "Bamako", ("social", "psychosocial")),
    ("Agence Nationale de Promotion de l’Emploi (ANAPEC)", "government", "MA", "Rabat",
     ("vocational_training", "economic", "education")),
    ("Fondation Orient-Occident", "ngo", "MA", "Rabat", ("psychosocial", "social", "health")),
    ("Entraide Nationale", "government", "MA", "Casablanca", ("social", "cash")),
)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _moment(day: date, hour: int) -> str:
    return f"{day.isoformat()}T{hour:02d}:00:00Z"


def _partner_objects() -> list[dict]:
    return [{"model": "reintegration.partner", "pk": FIRST_PARTNER_PK + i, "fields": {
        "name": name, "kind": kind, "country": country, "city": city, "services": list(services),
        "agreement_signed_on": "2020-01-15", "agreement_expires_on": "2027-12-31", "active": True, "notes": "",
        "version": 1, "created_at": _moment(date(2020, 1, 15), 9), "updated_at": _moment(date(2020, 1, 15), 9),
    }} for i, (name, kind, country, city, services) in enumerate(PARTNERS)]


def _partner_for(return_country: str, kind: str, rng: random.Random) -> int:
    """A partner in the country of return offering the service, else one in the country, else any offering it."""
    here = [i for i, p in enumerate(PARTNERS) if p[2] == return_country]
    offering = [i for i in here if kind in PARTNERS[i][4]] or here \
        or [i for i, p in enumerate(PARTNERS) if kind in p[4]] or list(range(len(PARTNERS)))
    return FIRST_PARTNER_PK + rng.choice(offering)


def add_departures(objects: list[dict], returnees: Iterable[Any], files: Iterable[Any], seed: int,
                   user_pk: Callable[[str | None], int | None]) -> list[dict]:
    """`objects` with the partners first, each returnee's declaration and checklist after the returnees, the
    referrals last; support sessions, files and refugees get their partner and checklist fields."""
    rng = random.Random(seed * 18 + 1)
    by_model: dict[tuple[str, int], dict] = {(o["model"], o["pk"]): o for o in objects}
    documents: list[dict] = []
    checklists: list[dict] = []
    referrals: list[dict] = []
    for person in returnees:
        departure = person.departure_date
        referred = False
        for session in person.sessions:
            if session.provider != "partner":
                continue
            partner = _partner_for(person.return_country, session.kind, rng)
            by_model[("reintegration.supportsession", session.pk)]["fields"]["partner"] = partner
            if session.phase != "post_return":
                continue
            # The partner's support followed a referral, sent a few days before and completed on the day.
            sent = max(departure, session.day - timedelta(days=rng.randint(3, 12)))
            accepted = min(session.day, sent + timedelta(days=rng.randint(1, 3)))
            referrals.append({"model": "reintegration.referral", "pk": FIRST_REFERRAL_PK + len(referrals), "fields": {
                "returnee": person.pk, "partner": partner, "service": session.kind, "sent_on": _iso(sent),
                "sent_by": user_pk(person.owner), "status": "completed", "accepted_on": _iso(accepted),
                "declined_on": None, "completed_on": _iso(session.day), "revoked_on": None,
                "outcome": "Appui fourni par le partenaire.", "consent_override": False, "override_reason": "",
                "version": 1, "created_at": _moment(sent, 11), "updated_at": _moment(session.day, 17),
            }})
            referred = True
        if referred:
            # Referrals share data with partners: the returnee consented to it.
            by_model[("returns.returnee", person.pk)]["fields"]["consent_scope"] = "data_sharing"
        if departure is None or departure.year != YEAR:
            continue
        signed = max(person.opened, departure - timedelta(days=rng.randint(7, 30)))
        document_pk = FIRST_DOCUMENT_PK + len(documents)
        documents.append({"model": "documents.document", "pk": document_pk, "fields": {
            "returnee": person.pk, "resettlement_file": None, "refugee": None, "kind": "voluntariness",
            "file": f"baseline/declaration-{person.pk}.pdf", "original_name": f"declaration-{person.case_number}.pdf",
            "content_type": "application/pdf", "size": len(PLACEHOLDER_PDF), "issued_on": _iso(signed),
            "expires_on": None, "notes": "", "uploaded_by": user_pk(person.owner), "uploaded_at": _moment(signed, 15),
        }})
        escorted = bool(set(person.vulnerabilities) & {"medical_case", "disability"})
        checklists.append({"model": "returns.departurechecklist", "pk": person.pk, "fields": {
            "returnee": person.pk, "planned_departure_date": _iso(departure), "declaration_signed_on": _iso(signed),
            "declaration_document": document_pk,
            "travel_document_type": "passport" if rng.random() < 0.35 else "laissez_passer",
            "travel_document_number": f"TD{person.pk:07d}",
            "travel_document_expires": _iso(departure + timedelta(days=rng.randint(30, 5 * 365))),
            "fitness_checked_on": _iso(max(signed, departure - timedelta(days=rng.randint(2, 6)))),
            "fitness": "fit_with_escort" if escorted else "fit", "escort": "medical" if escorted else "none",
            "reception_confirmed_on": _iso(max(signed, departure - timedelta(days=rng.randint(1, 5)))),
            "onward_transport": "Transport vers la ville de destination organisé par l’OIM",
            "version": 1, "created_at": _moment(signed, 15), "updated_at": _moment(departure, 8),
        }})
    for file in files:
        if file.departure is None or file.departure.year != YEAR:
            continue
        fields = by_model[("resettlement.resettlementfile", file.pk)]["fields"]
        fields["travel_booked_on"] = _iso(max(file.referral, file.departure - timedelta(days=rng.randint(14, 40))))
        fields["travel_booking_reference"] = f"BK{file.pk:06d}"
        for refugee in file.refugees:
            row = by_model[("resettlement.refugee", refugee.pk)]["fields"]
            row["medical_clearance_on"] = _iso(max(file.referral, file.departure - timedelta(days=rng.randint(30, 60))))
            row["exit_permit_on"] = _iso(max(file.referral, file.departure - timedelta(days=rng.randint(10, 25))))
            young = (file.departure - refugee.date_of_birth).days < 6 * 365
            row["cultural_orientation_on"] = None if young else _iso(
                max(file.referral, file.departure - timedelta(days=rng.randint(5, 20))))
            row["cultural_orientation_exempt"] = young
    staff = [o for o in objects if o["model"] == "auth.user"]
    rest = [o for o in objects if o["model"] != "auth.user"]
    last_returnee = max(i for i, o in enumerate(rest) if o["model"] == "returns.returnee")
    return [*staff, *_partner_objects(), *rest[:last_returnee + 1], *documents, *checklists,
            *rest[last_returnee + 1:], *referrals]


def placeholder_files(storage: Any, names: Iterable[str]) -> int:
    """Write the placeholder file of each baseline document that has none in the storage; how many."""
    written = 0
    for name in names:
        if not storage.exists(name):
            storage.save(name, ContentFile(PLACEHOLDER_PDF))
            written += 1
    return written
