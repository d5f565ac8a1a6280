from gitsync.cli.main import run

run()
