from tests import factories as f


def test_login_page_is_french(client):
    page = client.get("/login/")
    assert page.status_code == 200
    assert "Mot de passe" in page.get_data(as_text=True)


def test_parent_lands_on_parent_space(app, client):
    with app.app_context():
        sch = f.school()
        f.family("Durand", sch, username="durand")
    f.login(client, "durand")
    home = client.get("/", follow_redirects=True)
    assert home.status_code == 200
    assert "DurandEnfant0" in home.get_data(as_text=True)


def test_every_stylesheet_closes_each_block_it_opens(app):
    """An unclosed `@media {` swallows every rule after it (it hid the phone cards of
    Finances after a merge)."""
    import re
    from pathlib import Path

    for path in (Path(app.root_path) / "static" / "css").glob("*.css"):
        text = re.sub(r"/\*.*?\*/", "", path.read_text(), flags=re.S)
        depth = 0
        for char in text:
            depth += {"{": 1, "}": -1}.get(char, 0)
            assert depth >= 0, f"{path.name}: a '}}' closes nothing"
        assert depth == 0, f"{path.name}: {depth} block(s) left open"
