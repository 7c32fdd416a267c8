"""Which object-store endpoints keep files in the place ``DATA_RESIDENCY_FILES`` declares (clause 6.1).

An S3-compatible storage is accepted only when its endpoint's host name is
on an allow-list entry tied to a place in mainland China, and that place is
the one the deployment declared for its files (any mainland place when it
declared ``cn-mainland``). Two lists are consulted:

- ``KNOWN_ENDPOINTS`` below: the S3-compatible endpoints of the large
  mainland clouds, by province. A Shenzhen endpoint passes for ``CN-GD``
  and fails for ``CN-BJ``; Hong Kong regions are on no list.
- ``STORAGE_ENDPOINT_ALLOWLIST`` (setting, from the environment): the
  deployment's own entries for stores not listed here, such as a MinIO or
  Ceph cluster in its own data centre, each written ``PLACE=HOST-PATTERN``
  (``CN-GD=objects.gd.example.cn``, ``cn-mainland=10.20.*``). Writing the
  place into each entry means that changing ``DATA_RESIDENCY_FILES`` alone
  does not carry an old endpoint along to the new declaration.

Host patterns are shell-style (``*`` matches anything, dots included) and
compared with the endpoint's host name in lower case; the port is ignored.
"""

from dataclasses import dataclass
from fnmatch import fnmatchcase

MAINLAND = "cn-mainland"

# place -> host patterns. Regions outside the mainland (Hong Kong, Macao, Taiwan, abroad) are left
# out on purpose. Incomplete by nature: anything missing goes in STORAGE_ENDPOINT_ALLOWLIST.
KNOWN_ENDPOINTS: dict[str, tuple[str, ...]] = {
    "cn-bj": (
        "oss-cn-beijing.aliyuncs.com",
        "oss-cn-beijing-internal.aliyuncs.com",
        "cos.ap-beijing.myqcloud.com",
        "obs.cn-north-1.myhuaweicloud.com",
        "obs.cn-north-4.myhuaweicloud.com",
        "s3.cn-north-1.amazonaws.com.cn",
    ),
    "cn-gd": (
        "oss-cn-shenzhen.aliyuncs.com",
        "oss-cn-shenzhen-internal.aliyuncs.com",
        "oss-cn-guangzhou.aliyuncs.com",
        "oss-cn-guangzhou-internal.aliyuncs.com",
        "oss-cn-heyuan.aliyuncs.com",
        "oss-cn-heyuan-internal.aliyuncs.com",
        "cos.ap-guangzhou.myqcloud.com",
        "obs.cn-south-1.myhuaweicloud.com",
    ),
    "cn-sh": (
        "oss-cn-shanghai.aliyuncs.com",
        "oss-cn-shanghai-internal.aliyuncs.com",
        "cos.ap-shanghai.myqcloud.com",
        "obs.cn-east-3.myhuaweicloud.com",
    ),
    "cn-zj": ("oss-cn-hangzhou.aliyuncs.com", "oss-cn-hangzhou-internal.aliyuncs.com"),
    "cn-js": ("oss-cn-nanjing.aliyuncs.com", "oss-cn-nanjing-internal.aliyuncs.com", "cos.ap-nanjing.myqcloud.com"),
    "cn-sd": ("oss-cn-qingdao.aliyuncs.com", "oss-cn-qingdao-internal.aliyuncs.com"),
    "cn-he": ("oss-cn-zhangjiakou.aliyuncs.com", "oss-cn-zhangjiakou-internal.aliyuncs.com"),
    "cn-nm": (
        "oss-cn-huhehaote.aliyuncs.com",
        "oss-cn-huhehaote-internal.aliyuncs.com",
        "oss-cn-wulanchabu.aliyuncs.com",
        "oss-cn-wulanchabu-internal.aliyuncs.com",
    ),
    "cn-sc": ("oss-cn-chengdu.aliyuncs.com", "oss-cn-chengdu-internal.aliyuncs.com", "cos.ap-chengdu.myqcloud.com"),
    "cn-cq": ("cos.ap-chongqing.myqcloud.com",),
    "cn-nx": ("s3.cn-northwest-1.amazonaws.com.cn",),
}


@dataclass(frozen=True)
class AllowedEndpoint:
    place: str  # "cn-mainland" or a lower-case province code such as "cn-gd"
    pattern: str  # lower-case host pattern


class BadAllowlistEntry(ValueError):
    """An entry of STORAGE_ENDPOINT_ALLOWLIST that is not ``PLACE=HOST-PATTERN``."""


def allowlist_parse(entries) -> list[AllowedEndpoint]:
    """The entries of ``STORAGE_ENDPOINT_ALLOWLIST``; raises ``BadAllowlistEntry`` on the first malformed one."""
    parsed = []
    for entry in entries or []:
        place, separator, pattern = str(entry).partition("=")
        place, pattern = place.strip().lower(), pattern.strip().lower()
        if not separator or not place or not pattern:
            raise BadAllowlistEntry(entry)
        parsed.append(AllowedEndpoint(place=place, pattern=pattern))
    return parsed


def _covers(declared: str, place: str) -> bool:
    # A store in Guangdong keeps files "in mainland China" too; one only known to be "in mainland China"
    # does not show they are in Guangdong.
    return declared in (place, MAINLAND)


def endpoint_allowed(*, host: str, declared: str, allowlist: list[AllowedEndpoint]) -> bool:
    """Whether the endpoint ``host`` keeps files where ``declared`` (the files' residency) says."""
    host = host.strip().lower().rstrip(".")
    declared = declared.strip().lower()
    if not host:
        return False
    for place, patterns in KNOWN_ENDPOINTS.items():
        if _covers(declared, place) and any(fnmatchcase(host, pattern) for pattern in patterns):
            return True
    return any(_covers(declared, entry.place) and fnmatchcase(host, entry.pattern) for entry in allowlist)
