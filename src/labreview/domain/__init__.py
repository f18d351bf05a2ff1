"""The rules of the Lab/Factory model as pure functions. Imports nothing of ours but itself."""
