"""Where members are and how far objects travel between them.

`coordinates`: an organisation's position, typed or found from its address
(the national address service, `geocoder`, when one is configured).
`distance`: the distance between two positions, by road from a routing
service when one is configured, else the great-circle distance times a stated
detour factor. `loops`: the loops the record shows (where objects come from →
the washing site → where it sends them clean), with their distances and the
warnings past the network's limit and the reuse break-even distance.
`transport`: the collection leg a batch's close form proposes.
"""
