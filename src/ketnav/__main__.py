from ketnav.cli import main

raise SystemExit(main())
