"""Run every benchmark in turn (make bench)."""
from bench import areas, restart, seed

if __name__ == "__main__":
    restart.main()
    areas.main()
    seed.main(1_000_000)
