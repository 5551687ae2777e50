from django.shortcuts import render


def dashboard(request):
    # Placeholder page until this app's screens are built.
    return render(request, "base.html")
