from django.shortcuts import redirect


def confirm_email(request, token):
    return redirect("landing")
