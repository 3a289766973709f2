from playground.cli import run

run()
