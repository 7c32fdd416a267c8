from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import services
from .selectors import access_inbox_message, inbox_for


@login_required
def inbox(request):
    page = Paginator(inbox_for(user=request.user), 20).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page})


@login_required
def message_detail(request, message_id):
    message = access_inbox_message(user=request.user, message_id=message_id)
    services.inbox_mark_read(message=message)
    return render(request, "notifications/message.html", {"message": message})


@login_required
@require_POST
def mark_all_read(request):
    services.inbox_mark_all_read(user=request.user)
    return redirect("notifications:inbox")
