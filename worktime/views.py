from django.shortcuts import render


def calculator(request):
    # Placeholder page until this app's screens are built.
    return render(request, "base.html")
