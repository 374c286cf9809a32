"""The transmission system: view policies, latent quantiser, image codecs, transmitter and
receiver. Each module holds one job; the transmitter and receiver compose them."""
