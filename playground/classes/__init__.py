"""Class mode: a lecturer opens a class, students join it with a code, the lecturer pushes
experiments to everyone, and every student's training rolls up on the lecturer's board.

- `join_codes`: the codes students type; `wrong_codes`: rate-limiting wrong ones.
- `class_store`: classes and their members in the run database (shared by replicas).
- `class_tile`: what the board shows of each student; `class_reporter`: one thread per process
  that reports every page's tile and reads every page's class.
- `class_results`: the students' scores and the settings that varied between them.
"""
