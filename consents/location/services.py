"""Location: the sharing switch, storing a location only while it is on, photos without GPS tags.

While sharing is off, ``location_record`` refuses every location, whichever
channel it comes from (device API, profile, photo), so no caller can forget
the check. Photos always lose their GPS tags before they are stored.

Withdrawing the consent deletes the stored history in the same
transaction (``location_history_delete`` is the purpose's withdrawal hook,
registered in ``consents/consent_withdrawal.py``), except when the person
turns the switch off and chooses to keep it: clause 2.2.1 *offers* to
delete the history, so the switch asks (issue #15). Kept history ages out
under the "locations" retention rule and can be deleted at any time.
"""

import secrets
import struct
import warnings
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from io import BytesIO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import ExifTags, Image, UnidentifiedImageError

from audit.services import audit_record
from consents.models import ConsentEvent, ConsentSubject, LocationRecord, PolicyDisplay, PolicyVersion
from consents.services import consent_grant, consent_withdraw, policy_display_record

from .selectors import (
    location_purpose,
    location_sharing_decision,
    profile_photo_folder,
    profile_photo_names,
)

MAX_PHOTO_BYTES = 5 * 1024 * 1024
# A 5 MB file can still decode to a huge bitmap; refuse before decoding.
MAX_PHOTO_PIXELS = 40_000_000
PHOTO_FORMATS = ("JPEG", "PNG", "WEBP")
COORDINATE_PLACES = Decimal("0.000001")


class LocationError(Exception):
    """A location or photo the rules refuse; ``message`` is for the person."""

    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class LocationSharingOff(LocationError):
    code = "location_sharing_off"


class LocationInvalid(LocationError):
    pass


class PhotoRejected(LocationError):
    pass


# -- The switch ------------------------------------------------------------------------------------


def location_sharing_turn_on(
    *, subject, actor, channel: str, shown_version: PolicyVersion | None = None
) -> ConsentEvent:
    """Consent to location-based services (sensitive: callers put this behind step-up).

    ``shown_version`` is the policy version the confirmation page showed
    ``actor``; the display is recorded with the consent that names it, in
    one transaction. Without it, the consent names the version in effect.
    """
    purpose = location_purpose()
    with transaction.atomic():
        if shown_version is not None:
            policy_display_record(
                subject=actor, version=shown_version, purpose=purpose, context=PolicyDisplay.Context.CONSENT_REQUEST
            )
        return consent_grant(
            subject=subject, purpose=purpose, channel=channel, actor=actor, policy_version=shown_version
        )


def _lock_consents_of(user) -> None:
    """Take the row lock that serialises this person's consent changes (``ConsentSubject``).

    A withdrawal holds it while it writes the ledger and deletes the
    history; a location stored under it either commits before the
    withdrawal starts (and is deleted with the rest) or waits and then finds
    sharing off. Without it, a device could slip one location in between the
    deletion and the commit, and it would outlive the withdrawal.
    """
    list(ConsentSubject.objects.select_for_update(no_key=True).filter(user=user).values_list("pk", flat=True))


class HistoryChoice(models.TextChoices):
    """What the person chose for their stored locations when turning sharing off."""

    KEEP = "keep", gettext_lazy("Keep my location history")
    DELETE = "delete", gettext_lazy("Delete my location history")


@dataclass(frozen=True)
class SharingTurnedOff:
    deleted: int
    kept: int


def location_sharing_turn_off(*, subject, actor, channel: str, history: str) -> SharingTurnedOff:
    """Withdraw consent at once; the stored history is deleted or kept, as the person chose (``HistoryChoice``).

    Both choices leave an audit record beside the ledger's withdrawal event:
    "location.history_deleted" (from the withdrawal hook) or
    "location.history_kept", each with the count only.
    """
    if history not in HistoryChoice.values:
        raise ValueError(f"unknown history choice: {history!r}")
    keep = history == HistoryChoice.KEEP
    with transaction.atomic():
        # Locked before counting, so the count is exactly what the withdrawal deletes or keeps.
        _lock_consents_of(subject)
        stored = LocationRecord.objects.filter(user=subject).count()
        event = consent_withdraw(
            subject=subject, purpose=location_purpose(), channel=channel, actor=actor, keep_data=keep
        )
        if keep:
            audit_record(
                actor=actor,
                action="location.history_kept",
                target=("accounts.user", subject.pk),
                details={"count": stored, "event_seq": event.seq, "channel": channel},
            )
    return SharingTurnedOff(deleted=0 if keep else stored, kept=stored if keep else 0)


def location_history_delete(*, user, actor) -> int:
    """Delete every stored location of ``user``; the audit record keeps only the count."""
    with transaction.atomic():
        deleted = LocationRecord.objects.filter(user=user).delete()[0]
        audit_record(
            actor=actor,
            action="location.history_deleted",
            target=("accounts.user", user.pk),
            details={"count": deleted},
        )
    return deleted


# -- Storing a location ----------------------------------------------------------------------------


def _coordinate(value, *, field: str, limit: int) -> Decimal:
    messages = {
        "latitude": _("Latitude must be a number between -90 and 90."),
        "longitude": _("Longitude must be a number between -180 and 180."),
    }
    if isinstance(value, bool) or value is None:
        raise LocationInvalid(messages[field], field=field)
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise LocationInvalid(messages[field], field=field) from None
    if not number.is_finite() or abs(number) > limit:
        raise LocationInvalid(messages[field], field=field)
    return number.quantize(COORDINATE_PLACES)


def location_record(*, user, latitude, longitude, source: str) -> LocationRecord:
    """Store one location of ``user``, only while location sharing is on.

    Raises ``LocationSharingOff`` when the consent check says no (sharing
    off, never turned on, a minor without a guardian's consent, a purpose
    widened since), and ``LocationInvalid`` for coordinates out of range.
    """
    if source not in LocationRecord.Source.values:
        raise LocationInvalid(_("Unknown source of the location."), field="source")
    with transaction.atomic():
        # Asked under the lock a withdrawal takes, so no location lands after the history was deleted.
        _lock_consents_of(user)
        if not location_sharing_decision(user=user).allowed:
            raise LocationSharingOff(
                _(
                    "Location sharing is off, so your location was not stored. "
                    "You can turn it on in your privacy settings."
                )
            )
        lat = _coordinate(latitude, field="latitude", limit=90)
        lon = _coordinate(longitude, field="longitude", limit=180)
        record = LocationRecord.objects.create(user=user, coordinates=f"{lat},{lon}", source=source)
        audit_record(
            actor=user,
            action="location.recorded",
            target=("accounts.user", user.pk),
            details={"record": record.pk, "source": source},
        )
    return record


# -- Photos ----------------------------------------------------------------------------------------


def _photo_open(uploaded_file) -> Image.Image:
    """Open an uploaded image, refusing anything too big, unreadable or not an image."""
    size = getattr(uploaded_file, "size", None)
    if not size:
        raise PhotoRejected(_("The file is empty. Choose a photo."), field="photo")
    if size > MAX_PHOTO_BYTES:
        raise PhotoRejected(_("The photo is larger than 5 MB. Choose a smaller one."), field="photo")
    uploaded_file.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(uploaded_file, formats=PHOTO_FORMATS)
            if image.width * image.height > MAX_PHOTO_PIXELS:
                raise PhotoRejected(
                    _("The photo has too many pixels (at most 40 million). Choose a smaller one."), field="photo"
                )
            image.load()
    except PhotoRejected:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PhotoRejected(_("This file is not a photo. Upload a JPEG, PNG or WebP image."), field="photo") from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise PhotoRejected(_("This photo is damaged and cannot be read. Try another one."), field="photo") from exc
    return image


def _degrees(values, reference) -> Decimal:
    degrees, minutes, seconds = (Decimal(str(float(part))) for part in values)
    value = degrees + minutes / 60 + seconds / 3600
    # A rational of 0/0 reads as NaN: no position, not an error.
    if not value.is_finite():
        raise ValueError("not a position")
    return -value if str(reference).strip().upper() in ("S", "W") else value


def _exif(image: Image.Image) -> Image.Exif:
    """The photo's EXIF block; an empty one when it cannot be read (the photo is stored stripped anyway)."""
    try:
        return image.getexif()
    except (OSError, SyntaxError, ValueError, TypeError, KeyError, IndexError, ZeroDivisionError, struct.error):
        # What Pillow's TIFF reader raises on a corrupt EXIF block.
        return Image.Exif()


def photo_gps_position(image: Image.Image) -> tuple[Decimal, Decimal] | None:
    """The position in a photo's EXIF GPS tags, or None when it has none (or nonsense)."""
    try:
        gps = _exif(image).get_ifd(ExifTags.IFD.GPSInfo)
        latitude, longitude = gps.get(ExifTags.GPS.GPSLatitude), gps.get(ExifTags.GPS.GPSLongitude)
        if not latitude or not longitude:
            return None
        lat = _degrees(latitude, gps.get(ExifTags.GPS.GPSLatitudeRef, "N"))
        lon = _degrees(longitude, gps.get(ExifTags.GPS.GPSLongitudeRef, "E"))
    except (TypeError, ValueError, ZeroDivisionError, InvalidOperation, KeyError, OSError, SyntaxError):
        return None
    if abs(lat) > 90 or abs(lon) > 180:
        return None
    return lat.quantize(COORDINATE_PLACES), lon.quantize(COORDINATE_PLACES)


def _without_metadata(image: Image.Image) -> bytes:
    """Re-encode as JPEG keeping the pixels, the orientation and the colour profile, and nothing else.

    Not only the GPS block goes: EXIF also carries camera serial numbers and
    times, and XMP or comments can repeat the position. The orientation
    stays so the photo is not shown sideways.
    """
    orientation = _exif(image).get(ExifTags.Base.Orientation)
    icc_profile = image.info.get("icc_profile")
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        image = flat
    elif image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    clean = Image.Exif()
    if isinstance(orientation, int) and 1 <= orientation <= 8:
        clean[ExifTags.Base.Orientation] = orientation
    out = BytesIO()
    options = {"quality": 90, "exif": clean.tobytes() if len(clean) else b"", "comment": b""}
    if icc_profile:
        options["icc_profile"] = icc_profile
    image.save(out, "JPEG", **options)
    return out.getvalue()


def photo_strip_location(*, uploaded_file) -> bytes:
    """The uploaded photo as JPEG bytes with its GPS tags (and other metadata) removed.

    Raises ``PhotoRejected`` for a file that is not an image, is over 5 MB
    or would decode to a huge bitmap.
    """
    return _without_metadata(_photo_open(uploaded_file))


@dataclass(frozen=True)
class PhotoSaved:
    name: str
    had_location: bool
    recorded: LocationRecord | None


def profile_photo_save(*, user, uploaded_file) -> PhotoSaved:
    """Store the person's profile photo without location metadata.

    While location sharing is on, a position found in the photo is kept as a
    location record (source "photo"); while off, it is only thrown away.
    Either way the stored file carries no GPS tags. Everything is checked
    and re-encoded before anything is stored, and the record and the file
    are stored together or not at all.
    """
    image = _photo_open(uploaded_file)
    position = photo_gps_position(image)
    stripped = _without_metadata(image)
    older = profile_photo_names(user=user)
    name = f"{profile_photo_folder(user=user)}{timezone.now():%Y%m%d%H%M%S%f}-{secrets.token_hex(4)}.jpg"
    recorded = None
    with transaction.atomic():
        if position is not None and location_sharing_decision(user=user).allowed:
            recorded = location_record(
                user=user, latitude=position[0], longitude=position[1], source=LocationRecord.Source.PHOTO
            )
        audit_record(
            actor=user,
            action="location.photo_saved",
            target=("accounts.user", user.pk),
            details={"had_location": position is not None, "location_recorded": recorded is not None},
        )
        # Last, so a failure to write the file rolls the record back.
        name = default_storage.save(name, ContentFile(stripped))
    for old in older:
        default_storage.delete(old)
    return PhotoSaved(name=name, had_location=position is not None, recorded=recorded)


def profile_photo_delete(*, user) -> bool:
    """Delete the person's profile photo; False when there was none."""
    names = profile_photo_names(user=user)
    for name in names:
        default_storage.delete(name)
    if names:
        audit_record(
            actor=user,
            action="location.photo_deleted",
            target=("accounts.user", user.pk),
            details={"files": len(names)},
        )
    return bool(names)
