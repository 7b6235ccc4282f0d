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
