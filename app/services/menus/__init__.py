"""Canteen menus as data (issue 14): the week's menus, the staff editor's commands, the
caterer file import, the allergen cross-check and its alerts, the caterer's meal orders,
EGalim shares and the printable poster. Plain Python: views pass the acting user in."""
