from bouteilles import create_app

app = create_app()
