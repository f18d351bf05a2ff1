from labreview.cli import main

raise SystemExit(main())
