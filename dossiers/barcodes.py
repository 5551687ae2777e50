"""QR codes and Code128 barcodes of dossier codes, as SVG, for the printed forms and the desk screens.

SVG rather than PNG: the marks stay sharp at any printer resolution and the PDF stays small.
Pure functions: nothing here touches Django, so they can be used from anywhere.
"""

from __future__ import annotations

import base64
import io

import barcode
import qrcode
import qrcode.image.svg
from barcode.writer import SVGWriter

# Code128 with 0.25 mm modules reads well on office laser printers and fits an A5 page
# (a 25-character dossier code is about 75 mm wide).
BARCODE_MODULE_MM = 0.25
BARCODE_HEIGHT_MM = 8.0


def qr_svg(data: str, *, border: int = 1) -> str:
    """A QR code of `data` (medium error correction: survives a stamp or a fold)."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=border, box_size=10)
    qr.add_data(data)
    qr.make(fit=True)
    image = qr.make_image(image_factory=qrcode.image.svg.SvgPathImage)
    return image.to_string(encoding="unicode")


def code128_svg(
    data: str, *, module_mm: float = BARCODE_MODULE_MM, height_mm: float = BARCODE_HEIGHT_MM
) -> str:
    """A Code128 barcode of `data`, without the human-readable line (the form prints the code itself)."""
    symbol = barcode.get("code128", data, writer=SVGWriter())
    buffer = io.BytesIO()
    symbol.write(
        buffer,
        {
            "module_width": module_mm,
            "module_height": height_mm,
            "quiet_zone": 2.5,
            "write_text": False,
            "margin_top": 0,
            "margin_bottom": 0,
        },
    )
    return buffer.getvalue().decode("utf-8")


def svg_data_uri(svg: str) -> str:
    """An SVG as a `data:` URI for an <img> in HTML rendered by WeasyPrint or a browser."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def qr_data_uri(data: str) -> str:
    return svg_data_uri(qr_svg(data))


def code128_data_uri(data: str) -> str:
    return svg_data_uri(code128_svg(data))
