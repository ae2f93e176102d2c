"""Small builders for valid records; tests change one field to break one rule."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from reintegration.models import Kind, Mode, Phase, Provider, SupportSession
from resettlement.models import Refugee, Relationship, ResettlementFile, Stage
from returns.models import Returnee, ReturnStatus, VulnerabilityCategory

_counter = itertools.count(1)


def returnee(**overrides: Any) -> Returnee:
    n = next(_counter)
    fields: dict[str, Any] = {
        "case_number": f"RVA-2024-{n:05d}",
        "given_name": "Awa",
        "family_name": f"Koné{n}",
        "sex": "F",
        "date_of_birth": date(1995, 3, 14),
        "nationality": "CI",
        "host_country": "MA",
        "return_country": "CI",
        "status": ReturnStatus.DEPARTED,
        "departure_date": date(2024, 5, 10),
    }
    fields.update(overrides)
    return Returnee(**fields)


def saved_returnee(vulnerable: bool = False, **overrides: Any) -> Returnee:
    obj = returnee(**overrides)
    obj.full_clean()
    obj.save()
    if vulnerable:
        obj.vulnerabilities.add(VulnerabilityCategory.objects.get(code="medical_case"))
    return obj


def session(returnee_obj: Returnee, **overrides: Any) -> SupportSession:
    fields: dict[str, Any] = {
        "returnee": returnee_obj,
        "kind": Kind.CASH,
        "phase": Phase.POST_RETURN,
        "mode": Mode.IN_PERSON,
        "provider": Provider.IOM_ORIGIN,
        "date": date(2024, 6, 1),
    }
    fields.update(overrides)
    return SupportSession(**fields)


def resettlement_file(**overrides: Any) -> ResettlementFile:
    n = next(_counter)
    fields: dict[str, Any] = {
        "file_number": f"RST-2024-{n:04d}",
        "destination_country": "CA",
        "stage": Stage.DEPARTED,
        "referral_date": date(2023, 9, 1),
        "departure_date": date(2024, 4, 2),
    }
    fields.update(overrides)
    return ResettlementFile(**fields)


def refugee(file: ResettlementFile, **overrides: Any) -> Refugee:
    fields: dict[str, Any] = {
        "file": file,
        "given_name": "Omar",
        "family_name": "Haddad",
        "sex": "M",
        "date_of_birth": date(1988, 1, 2),
        "nationality": "SY",
        "is_principal_applicant": True,
        "relationship": Relationship.PRINCIPAL,
    }
    fields.update(overrides)
    return Refugee(**fields)
