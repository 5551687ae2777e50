"""The citizens' portal pages (mounted at /cong-dan/), one module per room:

- `home`: the front door and the public look-up;
- `accounts`: sign-up, codes, password reset, the profile;
- `submission`: the online catalogue, the e-form with drafts, the citizen's own dossiers (supplement
  answers, withdrawal, printed forms, the result, the files);
- `ratings`: ratings on the dossier page, by look-up, at the kiosk;
- `feedback`: feedback and complaints, for the public and for the agency;
- `bookings`: desk appointments.

Views read through `citizens.selectors` and write through `citizens.services` (which call the dossier
services for anything that changes a dossier). A citizen's dossier pages start from the dossiers whose
`citizen` is the user: anyone else's dossier is a 404 on the page, the PDFs, the files, the supplement
upload and the rating alike. `citizens/urls.py` names each view by its room.
"""
