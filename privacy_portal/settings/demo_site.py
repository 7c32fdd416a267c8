"""Footer and contact facts for machines that serve no real people (dev and test settings).

Obviously made up (zeros), so that no demo page passes for the real site; a deployment sets its
own through the environment (README, settings table).
"""

from django.utils.translation import gettext_lazy as _

from .environment import env

PORTAL_SPONSOR_DEPARTMENT = env.str("PORTAL_SPONSOR_DEPARTMENT", default="") or _(
    "Provincial Government Services and Data Administration (demonstration)"
)
PORTAL_ICP_FILING = env.str("PORTAL_ICP_FILING", default="粤ICP备00000000号-1")
PORTAL_PSB_FILING = env.str("PORTAL_PSB_FILING", default="粤公网安备44010000000000号")
PORTAL_POSTAL_ADDRESS = env.str("PORTAL_POSTAL_ADDRESS", default="") or _(
    "Privacy Office, Provincial Government Services and Data Administration, 1 Demonstration Road, "
    "Tianhe District, Guangzhou 510000"
)
